/** First retry waits up to 1 s; doubling per attempt; capped at 5 min (the classic SDKs' pause length). */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 5 * 60_000;
/** A server asking for more than an hour is treated as asking for an hour. */
export const RETRY_AFTER_CAP_MS = 60 * 60_000;

/**
 * Delay before retry number `attempt` (1-based), pure. A server `Retry-After` wins (capped);
 * otherwise exponential backoff with full jitter (delay uniform in [0, min(cap, base·2^(attempt-1))]),
 * which spreads a fleet of apps coming back online instead of synchronising them.
 * @example
 * backoff(3, undefined, () => 0.5); // 2000
 * backoff(1, 30_000, Math.random);  // 30000
 */
export function backoff(attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, RETRY_AFTER_CAP_MS);
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
