import { cutBatch, batchBody } from './batch.js';
import type { ResolvedConfig } from './config.js';
import type { Emitter } from './events.js';
import { postJson } from './http.js';
import type { Logger } from './logger.js';
import { applyOutcome, expireTasks, type DropGroup } from './outcome.js';
import type { Clock, Timers, Transport } from './platform.js';
import type { SerialActor } from './serial-actor.js';
import type { PersistedState, Task } from './state.js';
import { refOf } from './task.js';
import { MAX_BATCH_BYTES, MAX_KEEPALIVE_BYTES } from './wire.js';

/** What a flush did. `flush()` resolves with this and never rejects because of the network. */
export interface FlushResult {
  /** Ops acknowledged by the server during this flush. */
  sent: number;
  /** Ops still queued afterwards. */
  left: number;
  /** Ops dropped during this flush (rejected, partial, expired). */
  dropped: number;
  /** Set while a 401 pause is in force (ms epoch). */
  pausedUntil: number | null;
}

export interface FlushOptions {
  /** Page is going away: use `keepalive` and keep each request ≤ 64 KB. */
  keepalive?: boolean;
  /** Internal: triggered by a timer or threshold, which respects client-side backoff. */
  automatic?: boolean;
  /** Internal: stop once fewer ops than this are queued (threshold flushes send full batches). */
  minOps?: number;
}

export interface DelivererDeps {
  config: ResolvedConfig;
  actor: SerialActor<PersistedState>;
  transport: Transport;
  headers: Record<string, string>;
  clock: Clock;
  timers: Timers;
  random: () => number;
  emitter: Emitter;
  logger: Logger;
}

type Step = { batch: Task[] } | { waitUntil: number | null };

/**
 * The send loop: one batch in flight at a time, in queue order; the next batch is cut only after
 * the previous answer was applied, so a later batch never overtakes an earlier one.
 */
export class Deliverer {
  private chain: Promise<unknown> = Promise.resolve();
  private active: Promise<FlushResult> | null = null;
  private timer: unknown = null;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly d: DelivererDeps) {}

  /** Runs one flush after any running one; never rejects. */
  flush(opts: FlushOptions = {}): Promise<FlushResult> {
    // Automatic triggers coalesce: a run already queued or going will pick up the new ops.
    if (opts.automatic && this.active) return this.active;
    const run = this.chain.then(() => this.run(opts));
    this.chain = run.catch(() => undefined);
    const active = run.catch((error: unknown) => {
      this.d.logger.error(`flush failed: ${String(error)}`);
      return { sent: 0, left: -1, dropped: 0, pausedUntil: null };
    });
    this.active = active;
    void active.then(() => {
      if (this.active === active) this.active = null;
    });
    return active;
  }

  /** Arms the timer for `at` unless one fires earlier already. */
  schedule(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer !== null) this.d.timers.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.d.timers.setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        void this.flush({ automatic: true });
      },
      Math.max(0, at - this.d.clock.now()),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.d.timers.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private async run(opts: FlushOptions): Promise<FlushResult> {
    const { config, actor } = this.d;
    const result: FlushResult = { sent: 0, left: 0, dropped: 0, pausedUntil: null };
    for (;;) {
      const step = await actor.run((s) => this.next(s, opts, result));
      if (!('batch' in step)) {
        if (step.waitUntil !== null) this.schedule(step.waitUntil);
        break;
      }
      const post = await postJson(this.d.transport, config.batchUrl, this.d.headers, batchBody(step.batch), {
        keepalive: opts.keepalive ?? false,
        timeoutMs: config.requestTimeoutMs,
        timers: this.d.timers,
      });
      const now = this.d.clock.now();
      const outcome = await actor.run((s) =>
        applyOutcome(s, step.batch, post, { now, random: this.d.random, pauseMs: config.pauseOnAuthErrorMs }),
      );
      if (outcome.sent.length > 0) {
        this.d.emitter.emit('sent', { ops: outcome.sent.map(refOf), status: outcome.status ?? 200 });
      }
      result.sent += outcome.sent.length;
      this.reportDropped(outcome.dropped, result);
      if (outcome.pausedUntil !== undefined) {
        this.d.logger.error(
          `paused until ${new Date(outcome.pausedUntil).toISOString()}: check siteId/apiKey`,
        );
        this.d.emitter.emit('paused', { until: outcome.pausedUntil, status: outcome.status ?? 401 });
      }
      if (outcome.stop) {
        const wait = await actor.run((s) => s.delivery.pausedUntil ?? s.delivery.retryAt, false);
        if (wait !== null) this.schedule(wait);
        break;
      }
    }
    const { left, pausedUntil } = await actor.run(
      (s) => ({ left: s.queue.length, pausedUntil: s.delivery.pausedUntil }),
      false,
    );
    return { ...result, left, pausedUntil };
  }

  /** Inside the actor: expire, check pause/backoff, cut the next batch. */
  private next(s: PersistedState, opts: FlushOptions, result: FlushResult): Step {
    const now = this.d.clock.now();
    const expired = expireTasks(s, now, this.d.config.queueExpirySeconds);
    this.reportDropped(expired.length ? [{ tasks: expired, reason: 'expired' }] : [], result);
    if (s.queue.length === 0) return { waitUntil: null };
    if (opts.minOps !== undefined && s.queue.length < opts.minOps) {
      return { waitUntil: now + this.d.config.flushInterval };
    }
    const d = s.delivery;
    if (d.pausedUntil !== null) {
      if (now < d.pausedUntil) return { waitUntil: d.pausedUntil };
      d.pausedUntil = null;
    }
    // A server's Retry-After binds every flush; our own backoff only binds automatic ones.
    if (d.retryAt !== null && now < d.retryAt && (d.serverWait || opts.automatic))
      return { waitUntil: d.retryAt };
    const maxItems = Math.min(d.maxItems ?? Infinity, this.d.config.maxBatchSize);
    return {
      batch: cutBatch(s.queue, {
        maxItems,
        maxBytes: opts.keepalive ? MAX_KEEPALIVE_BYTES : MAX_BATCH_BYTES,
      }),
    };
  }

  private reportDropped(groups: DropGroup[], result: FlushResult): void {
    for (const g of groups) {
      result.dropped += g.tasks.length;
      const { tasks, ...rest } = g;
      this.d.logger.info(`dropped ${tasks.length} op(s): ${g.reason}`);
      this.d.emitter.emit('dropped', { ops: tasks.map(refOf), ...rest });
      if (isForbidden(g)) {
        const message = `identity signature refused for ${tasks.length} op(s); dropped, not retried`;
        this.d.logger.error(message);
        this.d.emitter.emit('error', { code: 'forbidden', message });
      }
    }
  }
}

/** A 403 answer, or a 207 item refused with reason `forbidden` (contracts "Signed identify"). */
function isForbidden(g: DropGroup): boolean {
  return g.status === 403 || (g.reason === 'partial' && g.message?.startsWith('forbidden') === true);
}
