export interface BackoffPolicy {
  /** First retry after about this long. */
  baseMs: number;
  /** No wait is longer than this (APNs and FCM outages are usually minutes). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10 * 60_000 };

/**
 * Wait before retry number `attempt` (1 = the first retry): exponential with "equal jitter"
 * (half fixed, half random) so a burst of failures does not retry in lockstep, and never sooner
 * than the provider's Retry-After. Pure: `random` is injected for tests.
 */
export function backoffMs(
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  return Math.max(Math.round(jittered), Math.min(retryAfterMs ?? 0, 60 * 60_000));
}
