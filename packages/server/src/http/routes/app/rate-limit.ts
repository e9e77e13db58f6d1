import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../../lib/clock.js';
import { HttpError } from '../../error-handler.js';

interface Bucket {
  tokens: number;
  updatedMs: number;
  rate: number;
}

/**
 * The App API rate limit: a token bucket per workspace, `rate` requests per second with a burst
 * of one second's worth (Customer.io: 10/s; docs/app-api.md "Conventions"). The rate is the
 * workspace setting `appApiRateLimit` up to the server's `ROSTER_APP_API_RATE_LIMIT`, else the
 * server's; 0 means no limit.
 *
 * Per process: with N servers behind a balancer a workspace gets up to N × rate. Customer.io's
 * own limit is advisory for a self-hosted server, so this is documented rather than coordinated
 * through the database.
 */
export class AppRateLimiter {
  private readonly buckets = new Map<number, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly defaultRate: number,
  ) {}

  /** Takes one token; returns the seconds to wait (≥ 1) when the bucket is empty, else 0. */
  /**
   * The rate a workspace gets: its own setting, but never above the server's
   * (`ROSTER_APP_API_RATE_LIMIT` is the operator's ceiling; a workspace's App key could otherwise
   * lift it: docs/security.md). 0 = no limit.
   */
  rateFor(configured: number): number {
    if (!(configured > 0)) return this.defaultRate;
    return this.defaultRate > 0 ? Math.min(configured, this.defaultRate) : configured;
  }

  take(workspaceId: number, configured: number): number {
    const rate = this.rateFor(configured);
    if (!(rate > 0)) return 0;
    const now = this.clock.now();
    let b = this.buckets.get(workspaceId);
    if (!b || b.rate !== rate) {
      b = { tokens: rate, updatedMs: now, rate };
      this.buckets.set(workspaceId, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((now - b.updatedMs) / 1000) * rate);
    b.updatedMs = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate));
  }

  /** A preHandler, after authentication: 429 + `Retry-After` with the App API's error body. */
  hook() {
    return async (request: FastifyRequest): Promise<void> => {
      const ws = request.workspace;
      if (!ws) return;
      const configured = ws.settings.appApiRateLimit;
      const wait = this.take(ws.id, configured);
      if (wait === 0) return;
      const rate = this.rateFor(configured);
      throw new HttpError(429, `rate limited to ${rate} requests per 1s`, undefined, 'rate_limited', {
        'retry-after': String(wait),
      });
    };
  }
}
