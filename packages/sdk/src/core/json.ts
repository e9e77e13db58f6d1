/** JSON values as they go on the wire; attributes and event data are JSON objects. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * UTF-8 byte length of a string without TextEncoder (not guaranteed on every React Native engine).
 * The Track API limits (32 KB per op, 500 KB per batch) are in bytes, not UTF-16 units.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point.
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Round-trips app data through JSON so what is queued is exactly what will be sent (undefined,
 * functions and class instances are dropped or flattened here, once, instead of at send time).
 * Returns `{}` for anything that is not an object: the API answers 400 "event data must be a hash".
 */
export function toJsonObject(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  const parsed: unknown = JSON.parse(JSON.stringify(value));
  return isJsonObject(parsed) ? parsed : {};
}
