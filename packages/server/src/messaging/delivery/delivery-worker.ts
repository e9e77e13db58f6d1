import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PollingLoop } from '../../lib/polling-loop.js';
import type { Tx } from '../../store/store.js';
import { backoffMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { readDevice } from '../../store/messaging/device-status.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { claimDue, finishJob, rescheduleJob, type ClaimedJob } from '../../store/messaging/outbox.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import type { SendOutcome } from '../providers/provider-types.js';
import type { PushJobPayload } from '../push-queue.js';
import { applySendOutcome, type FinalOutcome } from './send-result.js';
import { RateLimiter, type RateLimit } from './token-bucket.js';

export interface DeliveryWorkerOptions extends MessagingDeps {
  providers: Pick<ProviderRegistry, 'resolve'>;
  /** Names this process in `claimed_by`; each claim adds a random suffix. */
  workerId?: string;
  /** How long a claim holds rows; a worker that dies releases them after this. */
  leaseMs?: number;
  /** Rows per claim. */
  batchSize?: number;
  /** Sends in flight at once (APNs/FCM connections multiplex; the store writes stay serial on SQLite). */
  concurrency?: number;
  /** Provider calls per message before it fails (counting the first). */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Per workspace + provider credentials; none = unlimited. */
  rateLimit?: RateLimit;
  /** Idle poll interval for `start()`. */
  pollMs?: number;
  /**
   * Sends in flight at once through one provider (a workspace's credentials for one platform), so
   * a provider that hangs can take at most this many of the `concurrency` lanes; its other rows are
   * given back (no attempt spent) until a lane of its own frees.
   */
  perProviderConcurrency?: number;
  log?: { error(obj: unknown, msg: string): void };
  random?: () => number;
}

/** A workspace's provider for a platform and app, and the key its rate limit and lanes go by. */
type ResolvedProvider = NonNullable<Awaited<ReturnType<ProviderRegistry['resolve']>>>;

export interface RunStats {
  claimed: number;
  sent: number;
  bounced: number;
  failed: number;
  skipped: number;
  retried: number;
  /** Results not recorded because the lease had passed to another worker. */
  lost: number;
}

/** Waiting for a rate-limit token longer than this releases the row instead of holding its lease. */
const MAX_RATE_WAIT_MS = 1_000;

/**
 * Claims due outbox rows, sends each through its provider, and records each result in one
 * transaction with the row's completion (see docs/messaging.md "Delivery guarantees").
 * `runOnce()` processes one batch (tests drive it directly); `start()` loops until `stop()`.
 */
export class DeliveryWorker {
  private readonly o: Required<Omit<DeliveryWorkerOptions, 'onDeviceChanged' | 'rateLimit' | 'log'>> &
    Pick<DeliveryWorkerOptions, 'onDeviceChanged' | 'rateLimit' | 'log'>;
  private readonly limiter: RateLimiter;
  private readonly poller: PollingLoop;
  /** Sends started by `start()`'s loop and not finished yet. */
  private readonly running = new Set<Promise<void>>();
  /** Provider key → its sends in flight. */
  private readonly perProvider = new Map<string, number>();
  /** Aborted by `stop()`: in-flight provider calls end at once; their rows go back to the outbox. */
  private readonly stopping = new AbortController();

  constructor(options: DeliveryWorkerOptions) {
    this.o = {
      workerId: `w-${randomBytes(4).toString('hex')}`,
      // Long enough for a batch at a modest rate limit; short enough that a crash delays little.
      leaseMs: 60_000,
      batchSize: 100,
      concurrency: 32,
      maxAttempts: 8,
      backoff: DEFAULT_BACKOFF,
      pollMs: 500,
      random: Math.random,
      perProviderConcurrency: 8,
      ...options,
    };
    this.limiter = new RateLimiter(options.rateLimit, options.clock);
    // A store error ends the tick; the lease protocol makes the retry on the next tick harmless.
    this.poller = new PollingLoop(
      () => this.tick(),
      this.o.pollMs,
      (err) => this.o.log?.error({ err }, 'push delivery: claiming failed; retrying'),
    );
  }

  /**
   * `start()`'s unit of work: claims as many rows as there are free lanes and starts them without
   * waiting for the batch, so a slow send holds its own lane only — the next claim happens as soon
   * as any lane frees (each finishing send nudges the loop), never after the slowest of a batch.
   */
  private async tick(): Promise<boolean> {
    const room = this.o.concurrency - this.running.size;
    if (room <= 0) return false;
    const stats: RunStats = { claimed: 0, sent: 0, bounced: 0, failed: 0, skipped: 0, retried: 0, lost: 0 };
    const jobs = await claimDue(this.o.store, {
      claim: `${this.o.workerId}:${randomBytes(6).toString('hex')}`,
      nowMs: this.o.clock.now(),
      leaseMs: this.o.leaseMs,
      limit: Math.min(this.o.batchSize, room),
    });
    for (const job of jobs) {
      const run: Promise<void> = this.process(job, stats)
        .catch((err: unknown) =>
          this.o.log?.error({ err, deliveryId: job.deliveryId }, 'push delivery failed'),
        )
        .finally(() => {
          this.running.delete(run);
          this.poller.nudge();
        });
      this.running.add(run);
    }
    return jobs.length > 0 && jobs.length === room;
  }

  async runOnce(): Promise<RunStats> {
    const stats: RunStats = { claimed: 0, sent: 0, bounced: 0, failed: 0, skipped: 0, retried: 0, lost: 0 };
    const claim = `${this.o.workerId}:${randomBytes(6).toString('hex')}`;
    const jobs = await claimDue(this.o.store, {
      claim,
      nowMs: this.o.clock.now(),
      leaseMs: this.o.leaseMs,
      limit: this.o.batchSize,
    });
    stats.claimed = jobs.length;
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) await this.process(jobs[next++]!, stats);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, jobs.length) }, lane));
    return stats;
  }

  /** Polls until `stop()`; a full batch is followed immediately by the next claim. */
  start(): void {
    this.poller.start();
  }

  /** Skips the idle wait (after queueing, so a send goes out without waiting for the poll). */
  nudge(): void {
    this.poller.nudge();
  }

  /** Stops claiming and ends in-flight sends at once (their rows go back to the outbox). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.poller.stop();
    await Promise.all([...this.running]);
  }

  /**
   * One claimed push, in phases: is it still deliverable (`precheck`), may it go now (`takeLane`: a
   * rate-limit token and a lane of its provider), the provider call (`sendToProvider`), then what
   * the outcome means for its row (`settle`).
   */
  private async process(job: ClaimedJob, stats: RunStats): Promise<void> {
    const p = job.payload as PushJobPayload;
    const checked = await this.precheck(job, p);
    if ('final' in checked) return this.finish(job, p, checked.status, checked.final, stats);
    if (!(await this.takeLane(job, checked.resolved.key, stats))) return;
    const outcome = await this.sendToProvider(job, p, checked.resolved);
    return this.settle(job, p, outcome, stats);
  }

  /** The provider to send with, or the last word on a push that can no longer go (skipped, failed). */
  private async precheck(
    job: ClaimedJob,
    p: PushJobPayload,
  ): Promise<{ resolved: ResolvedProvider } | { status: 'skipped' | 'failed'; final: FinalOutcome }> {
    // The device may have been suppressed, deleted or moved to someone else since queueing.
    const device = await readDevice(this.o.store.db, job.workspaceId, p.token);
    if (!device || device.personPid !== p.personPid)
      return {
        status: 'skipped',
        final: { kind: 'undeliverable', reason: 'the device is no longer on this profile' },
      };
    if (device.lastStatus === 'suppressed')
      return { status: 'skipped', final: { kind: 'undeliverable', reason: 'the device is suppressed' } };
    const resolved = await this.o.providers.resolve(job.workspaceId, p.platform, p.appIdentifier);
    if (!resolved)
      return {
        status: 'failed',
        final: { kind: 'failed', reason: `no push provider configured for ${p.platform}` },
      };
    return { resolved };
  }

  /**
   * A rate-limit token and a lane of the provider, taken together (the lane is counted before
   * anything else can run), or the row goes back without spending an attempt.
   */
  private async takeLane(job: ClaimedJob, key: string, stats: RunStats): Promise<boolean> {
    const wait = await this.waitForToken(key, job);
    if (wait > 0) {
      // Give the row back without spending an attempt; another claim picks it up when tokens return.
      await this.o.store.transaction((trx) =>
        rescheduleJob(trx, job, this.o.clock.now() + wait, 'rate limited', true),
      );
      stats.retried++;
      return false;
    }
    const busy = this.perProvider.get(key) ?? 0;
    if (busy >= this.o.perProviderConcurrency || this.stopping.signal.aborted) {
      // This provider already has its share of the lanes (or the process is stopping): the row
      // goes back without spending an attempt, and the lane serves other workspaces meanwhile.
      await this.o.store.transaction((trx) =>
        rescheduleJob(trx, job, this.o.clock.now() + (busy > 0 ? 1_000 : 0), 'provider busy', true),
      );
      stats.retried++;
      return false;
    }
    this.perProvider.set(key, busy + 1);
    return true;
  }

  /** The provider call on a lane `takeLane` took, given back however the call ends. */
  private async sendToProvider(
    job: ClaimedJob,
    p: PushJobPayload,
    resolved: ResolvedProvider,
  ): Promise<SendOutcome> {
    try {
      return await resolved.provider.send({
        deliveryId: job.deliveryId,
        token: p.token,
        platform: p.platform,
        content: p.content,
        ...(p.customPayload ? { customPayload: p.customPayload } : {}),
        signal: this.stopping.signal,
      });
    } catch (err) {
      return { kind: 'retry', reason: `provider error: ${(err as Error).message}` };
    } finally {
      const left = (this.perProvider.get(resolved.key) ?? 1) - 1;
      if (left > 0) this.perProvider.set(resolved.key, left);
      else this.perProvider.delete(resolved.key);
    }
  }

  /** A provider's answer, for the row: finished (sent, failed, attempts spent) or retried later. */
  private async settle(
    job: ClaimedJob,
    p: PushJobPayload,
    outcome: SendOutcome,
    stats: RunStats,
  ): Promise<void> {
    if (this.stopping.signal.aborted && outcome.kind === 'retry') {
      // Shutdown cut the call short: not the message's fault, so no attempt is spent.
      await this.o.store.transaction((trx) => rescheduleJob(trx, job, this.o.clock.now(), 'shutdown', true));
      stats.retried++;
      return;
    }
    if (outcome.kind !== 'retry') {
      return this.finish(job, p, outcome.kind === 'sent' ? 'sent' : 'failed', outcome, stats);
    }
    if (job.attempts >= this.o.maxAttempts) {
      return this.finish(
        job,
        p,
        'failed',
        { kind: 'exhausted', reason: `${outcome.reason} (after ${job.attempts} attempts)` },
        stats,
      );
    }
    const delay = backoffMs(job.attempts, outcome.retryAfterMs, this.o.random, this.o.backoff);
    const kept = await this.o.store.transaction((trx) =>
      rescheduleJob(trx, job, this.o.clock.now() + delay, outcome.reason),
    );
    // Nobody announces a retry: this loop looks again when it is due.
    if (kept) this.poller.wakeIn(delay);
    if (kept) stats.retried++;
    else stats.lost++;
  }

  /** The row's last word and what it means for the device and the person, in one transaction. */
  private async finish(
    job: ClaimedJob,
    p: PushJobPayload,
    status: 'sent' | 'failed' | 'skipped',
    outcome: FinalOutcome,
    stats: RunStats,
  ): Promise<void> {
    const target = {
      workspaceId: job.workspaceId,
      deliveryId: job.deliveryId,
      token: p.token,
      platform: p.platform,
      personPid: p.personPid,
    };
    const done = await this.o.store.transaction(async (trx: Tx) => {
      if (!(await finishJob(trx, job, status, outcome.kind === 'sent' ? null : outcome.reason))) return false;
      await applySendOutcome(this.o, trx, target, outcome);
      return true;
    });
    if (!done) stats.lost++;
    else if (outcome.kind === 'sent') stats.sent++;
    else if (outcome.kind === 'bounced' || outcome.kind === 'unregistered') stats.bounced++;
    else if (outcome.kind === 'undeliverable') stats.skipped++;
    else stats.failed++;
  }

  /**
   * 0 when a token was taken; otherwise how long to put the row back for. A short wait is slept
   * once (cheaper than a store round trip); a long one, or a second miss, releases the row.
   */
  private async waitForToken(key: string, job: ClaimedJob): Promise<number> {
    const wait = this.limiter.take(key);
    if (wait === 0) return 0;
    const leaseLeft = job.claimedUntilMs - this.o.clock.now();
    if (wait > MAX_RATE_WAIT_MS || wait * 2 > leaseLeft) return wait;
    await sleep(wait);
    return this.limiter.take(key);
  }
}
