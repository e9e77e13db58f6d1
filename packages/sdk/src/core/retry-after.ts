/**
 * Parses a `Retry-After` header (RFC 9110: delay-seconds or an HTTP-date) into milliseconds from
 * `nowMs`. Returns undefined when absent or unparseable, and never a negative delay.
 * @example
 * parseRetryAfter('120', 0); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')); // 60000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
