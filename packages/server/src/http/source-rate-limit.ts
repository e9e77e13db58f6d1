import type { FastifyRequest } from 'fastify';
import type { Clock } from '../lib/clock.js';
import { HttpError } from './error-handler.js';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * How many client addresses the limiter remembers. Past this the least recently seen is forgotten
 * (it starts again with a full bucket), so a flood from many addresses costs bounded memory:
 * about 100 bytes an entry, 1 MB in all.
 */
export const MAX_TRACKED_SOURCES = 10_000;
/** A source may spend this many seconds' worth of requests at once (a phone coming back online). */
const BURST_SECONDS = 10;

/**
 * The rate limit of the routes that need no key (`/api/v1/metrics`, `/push/events`,
 * `/api/v1/push/events`, `/api/v1/cio_deliveries/events`, `/unsubscribe/:delivery_id`): a token
 * bucket per client address, `rate` requests per second with a burst of ten seconds' worth.
 * Requests that authenticate are not counted (the Track API's keys name a workspace). 0 = off.
 *
 * The address is the TCP peer's: behind a reverse proxy every client shares the proxy's bucket, so
 * raise the rate or turn it off there (docs/security.md). Per process, like the App API's limit.
 */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly rate: number,
  ) {}

  /** Takes one token for `source`; returns the seconds to wait (≥ 1) when none is left, else 0. */
  take(source: string): number {
    if (!(this.rate > 0)) return 0;
    const now = this.clock.now();
    const burst = this.rate * BURST_SECONDS;
    let b = this.buckets.get(source);
    if (b) {
      // Most recently seen last: Map keeps insertion order, so the first key is the one to forget.
      this.buckets.delete(source);
      b.tokens = Math.min(burst, b.tokens + ((now - b.updatedMs) / 1000) * this.rate);
      b.updatedMs = now;
    } else {
      b = { tokens: burst, updatedMs: now };
      if (this.buckets.size >= MAX_TRACKED_SOURCES) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(source, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate));
  }

  /** An onRequest hook after the optional Track auth: unauthenticated requests spend a token. */
  hook() {
    return async (request: FastifyRequest): Promise<void> => {
      if (request.workspace) return;
      const wait = this.take(request.ip);
      if (wait === 0) return;
      throw new HttpError(
        429,
        `too many requests without credentials from this address (${this.rate} per second); retry in ${wait}s or send the workspace's tracking key`,
        undefined,
        'rate_limited',
        { 'retry-after': String(wait) },
      );
    };
  }
}
