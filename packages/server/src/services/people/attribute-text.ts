/**
 * Attribute values as the App API shows them (docs/app-api.md "Conventions"): strings unchanged,
 * numbers as decimal text, booleans "true"/"false", objects and arrays as JSON text, null/absent as
 * "".
 */
export function attributeText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** An object's values as attribute text, keys sorted (Customer.io answers in key order). */
export function attributesText(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(values).sort()) {
    const v = values[key];
    if (v === null || v === undefined) continue;
    out[key] = attributeText(v);
  }
  return out;
}
