import { parseRetryAfter } from './retry-after.js';

/** What happened to one HTTP attempt: a response, or a transport error (offline, DNS, timeout). */
export type Attempt = { status: number; retryAfter?: string | null } | { error: unknown };

/** What to do with the batch that was sent. */
export type Verdict =
  | { kind: 'ok' }
  | { kind: 'retry'; retryAfterMs?: number }
  | { kind: 'split' }
  | { kind: 'drop' }
  | { kind: 'pause' };

/**
 * The retry policy, pure (packages/sdk/README.md "Retry policy"):
 *
 * | outcome                                  | verdict |
 * |------------------------------------------|---------|
 * | 2xx (207 partial failures handled by caller) | ok  |
 * | network error, 408, 429, 5xx             | retry (429/503 honour `Retry-After`) |
 * | 413                                      | split (halve the batch) |
 * | 401                                      | pause (credentials/config problem: retrying cannot help) |
 * | 403                                      | drop (signed identify refused this identity: retrying repeats it) |
 * | other 4xx, 1xx, 3xx                      | drop (the request itself is wrong; retrying repeats it) |
 *
 * 3xx is dropped because fetch follows redirects itself; one that reaches us is a misconfigured URL.
 * @example
 * classify({ status: 429, retryAfter: '5' }, Date.now()); // { kind: 'retry', retryAfterMs: 5000 }
 */
export function classify(attempt: Attempt, nowMs: number): Verdict {
  if ('error' in attempt) return { kind: 'retry' };
  const { status } = attempt;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(attempt.retryAfter, nowMs);
    return retryAfterMs === undefined ? { kind: 'retry' } : { kind: 'retry', retryAfterMs };
  }
  if (status === 413) return { kind: 'split' };
  // 403 is a refused identity signature (missing, wrong or expired; contracts "Signed identify"):
  // the same op would be refused again, and pausing would hold back everyone else's ops.
  if (status === 401) return { kind: 'pause' };
  return { kind: 'drop' };
}
