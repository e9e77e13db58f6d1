/** Text typed into a "data (JSON)" box: empty, a JSON object, or a problem to show. */
export type JsonObjectInput =
  { ok: true; value: Record<string, unknown> | undefined } | { ok: false; error: string };

export function parseJsonObject(text: string): JsonObjectInput {
  if (!text.trim()) return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON yet (${(err as Error).message}).` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'Use a JSON object, such as {"code": "WELCOME10"}.' };
  return { ok: true, value: value as Record<string, unknown> };
}
