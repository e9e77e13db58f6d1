import type { Clock } from '../../lib/clock.js';

export interface RateLimit {
  /** Sustained sends per second. */
  perSecond: number;
  /** Sends allowed at once after an idle period. */
  burst: number;
}

/** A token bucket; `take()` answers 0 when a send may go now, else the milliseconds to wait. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  take(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limit.perSecond) * 1000);
  }
}

/**
 * One bucket per workspace + provider: a workspace's APNs and FCM quotas are separate, and one
 * workspace's broadcast cannot spend another's. Per process: with several servers the effective
 * rate is the sum, so configure `perSecond` per server.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit | undefined,
    private readonly clock: Clock,
  ) {}

  take(key: string): number {
    if (!this.limit) return 0;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(this.limit, this.clock)));
    return b.take();
  }
}
