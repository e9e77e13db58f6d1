import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { PollingLoop } from '../../lib/polling-loop.js';
import type { Store } from '../../store/store.js';
import { ulid } from '../../lib/ulid.js';
import {
  claimWebhookDeliveries,
  pruneWebhookHistory,
  rescheduleWebhookDelivery,
  type AttemptRecord,
  type ClaimedWebhook,
} from '../../store/webhooks/deliveries.js';
import { recordWebhookResults, type WebhookResult } from '../../store/webhooks/results.js';
import { findSubscriptionById, type SubscriptionRow } from '../../store/webhooks/subscriptions.js';
import { backoffMs } from '../delivery/backoff.js';
import type { WebhookAnswer, WebhookHttp } from './webhook-http.js';
import { CursorSender } from './webhook-cursor-sender.js';
import { webhookHeaders } from './webhook-request.js';
import { pruneWebhookEvents } from '../../store/webhooks/cursors.js';

export interface WebhookWorkerOptions {
  store: Store;
  clock: Clock;
  http: Pick<WebhookHttp, 'post'>;
  workerId?: string;
  /** How long a claim holds a delivery; a worker that dies releases it after this. */
  leaseMs?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Requests in flight at once to one subscription (a slow receiver holds at most this many lanes). */
  perSubscription?: number;
  /** Idle poll interval. */
  pollMs?: number;
  /** A run of this many failed attempts in a row pauses the subscription. */
  pauseAfterFailures?: number;
  /** First retry after about this long; doubles each attempt, with jitter, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A delivery not through after this long since it was queued fails for good (3 days). */
  maxAgeMs?: number;
  /** Finished deliveries and attempts are forgotten after this long (7 days). */
  keepMs?: number;
  log?: { error(obj: unknown, msg: string): void; warn?(obj: unknown, msg: string): void };
  random?: () => number;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 5_000;
/** Results recorded in one transaction at most. */
const RESULTS_PER_COMMIT = 200;
/** How long a subscription read is reused (a change to it is seen within this). */
const SUBSCRIPTION_TTL_MS = 1_000;
/** The queue (`webhook_deliveries`) is claimed at most this often, unless asked (`nudgeQueue`). */
const QUEUE_POLL_MS = 500;
/** A delivered event is kept (for replay and the deliveries list's body) this long. */
const REPLAY_KEEP_MS = 3600_000;
/** Events pruned per workspace per call at most; how often while sending, and while idle. */
const PRUNE_EVENTS_BATCH = 5_000;
const PRUNE_EVENTS_ACTIVE_MS = 1_000;
const PRUNE_EVENTS_IDLE_MS = 60_000;
/** Candidate deliveries read per claim at most. */
const CLAIM_CANDIDATES = 1_000;

/**
 * Sends webhooks (docs/webhooks.md "How deliveries are made"). Subscriptions' events go by cursor
 * (`CursorSender`, webhook-cursor-sender.ts). The `webhook_deliveries` queue carries the rest —
 * campaign webhook actions, replays, and rows queued before migration 132 — claimed under a lease,
 * POSTed signed, the attempt recorded with the row's new state in one transaction. At least once
 * either way: a crash between the POST and that transaction sends it again after the lease; the
 * receiver dedupes on `Roster-Webhook-Id`. In order per person and subscription: the claim never
 * takes a row while an older one of the same person is pending (store/webhooks).
 */
export class WebhookWorker {
  private readonly o: Required<Omit<WebhookWorkerOptions, 'log'>> & Pick<WebhookWorkerOptions, 'log'>;
  private readonly poller: PollingLoop;
  private readonly running = new Set<Promise<void>>();
  /** Subscription id → deliveries claimed and not finished. */
  private readonly inFlight = new Map<number, number>();
  private readonly stopping = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private lastPruneMs = 0;
  private lastEventPruneMs = 0;
  /** When the queue was last claimed, and whether it should be claimed at the next tick. */
  private lastQueueMs = 0;
  private queueWanted = true;
  private readonly cursors: CursorSender;
  /** Results waiting to be recorded, and the flush that records them. */
  private results: Array<{ result: WebhookResult; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;
  private readonly subscriptions = new Map<number, { row: SubscriptionRow | undefined; atMs: number }>();

  constructor(options: WebhookWorkerOptions) {
    this.o = {
      workerId: `wh-${randomBytes(4).toString('hex')}`,
      leaseMs: 60_000,
      concurrency: 32,
      perSubscription: 8,
      // PostgreSQL announces new deliveries (NOTIFY): the poll is only a fallback for what nobody
      // announced (a crashed sender's lease running out), so an idle server stays quiet.
      pollMs: options.store.changes ? 10_000 : 1_000,
      pauseAfterFailures: 100,
      retryBaseMs: 10_000,
      retryMaxMs: 6 * 3600_000,
      maxAgeMs: 3 * 86400_000,
      keepMs: 7 * 86400_000,
      random: Math.random,
      ...options,
    };
    this.cursors = new CursorSender({
      store: this.o.store,
      clock: this.o.clock,
      http: this.o.http,
      me: this.o.workerId,
      leaseMs: this.o.leaseMs,
      concurrency: this.o.concurrency,
      window: this.o.perSubscription,
      pauseAfterFailures: this.o.pauseAfterFailures,
      retryBaseMs: this.o.retryBaseMs,
      retryMaxMs: this.o.retryMaxMs,
      maxAgeMs: this.o.maxAgeMs,
      random: this.o.random,
      signal: this.stopping.signal,
      wakeIn: (ms) => this.poller.wakeIn(ms),
      onPaused: (id) => {
        this.subscriptions.delete(id);
        this.o.log?.warn?.({ subscription: id }, 'webhook subscription paused');
      },
      onLaneEnd: () => this.poller.nudge(),
      log: this.o.log,
    });
    this.poller = new PollingLoop(
      () => this.tick(),
      this.o.pollMs,
      (err) => this.o.log?.error({ err }, 'webhooks: claiming failed; retrying'),
    );
  }

  start(): void {
    // Deliveries queued by any server wake this one (PostgreSQL NOTIFY, migration 100).
    this.unsubscribe = this.o.store.changes?.subscribe({
      onChange: (payload) => {
        if (payload === 'work:webhooks') this.poller.nudge();
      },
      onReset: () => this.poller.nudge(),
    });
    this.poller.start();
  }

  nudge(): void {
    this.poller.nudge();
  }

  /** Something was queued in `webhook_deliveries` (a campaign action, a replay, a resume): claim it now. */
  nudgeQueue(): void {
    this.queueWanted = true;
    this.poller.nudge();
  }

  /** Reads the subscription again before its next delivery (this process changed it). */
  forget(subscriptionId: number): void {
    this.subscriptions.delete(subscriptionId);
  }

  /** Stops claiming and ends requests in flight at once (their rows go back to the queue). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopping.abort();
    await this.poller.stop();
    await Promise.all([...this.running]);
    await this.cursors.stop();
  }

  private async tick(): Promise<boolean> {
    const nowMs = this.o.clock.now();
    await this.prune(nowMs);
    // Subscriptions' events, by cursor; then the queue (campaign actions, replays, older rows).
    const more = await this.cursors.tick(nowMs);
    // The queue is claimed when asked, or every QUEUE_POLL_MS (other servers' rows, retries): not
    // on every change a write announces, which the cursors take.
    const waited = nowMs - this.lastQueueMs;
    if (!this.queueWanted && waited < QUEUE_POLL_MS) {
      this.poller.wakeIn(QUEUE_POLL_MS - waited);
      return more;
    }
    this.queueWanted = false;
    this.lastQueueMs = nowMs;
    return (await this.claimQueued(nowMs)) || more;
  }

  /** Claims due `webhook_deliveries` rows and sends them, a subscription's batch per request. */
  private async claimQueued(nowMs: number): Promise<boolean> {
    let room = this.o.concurrency - this.running.size;
    if (room <= 0) return false;
    // Requests this tick opens per subscription, and how full the last one is.
    const open = new Map<number, { requests: number; last: number; batch: number }>();
    const take = (sub: number, batch: number): boolean => {
      const o = open.get(sub) ?? { requests: 0, last: 0, batch };
      open.set(sub, o);
      if (o.requests > 0 && o.last < o.batch) {
        o.last++;
        return true;
      }
      if (room <= 0 || (this.inFlight.get(sub) ?? 0) + o.requests >= this.o.perSubscription) return false;
      room--;
      o.requests++;
      o.last = 1;
      return true;
    };
    const jobs = await claimWebhookDeliveries(this.o.store, {
      claim: `${this.o.workerId}:${randomBytes(6).toString('hex')}`,
      nowMs,
      leaseMs: this.o.leaseMs,
      limit: CLAIM_CANDIDATES,
      take,
    });
    // One request per subscription's batch, oldest first.
    const bySub = new Map<number, ClaimedWebhook[]>();
    for (const job of jobs.sort((a, b) => a.id - b.id)) {
      const list = bySub.get(job.subscriptionId) ?? [];
      list.push(job);
      bySub.set(job.subscriptionId, list);
    }
    for (const [sub, list] of bySub) {
      const batch = open.get(sub)?.batch ?? 1;
      for (let i = 0; i < list.length; i += batch) this.launch(sub, list.slice(i, i + batch));
    }
    if (jobs.length > 0) this.queueWanted = true;
    return jobs.length > 0 && room <= 0;
  }

  private launch(subscriptionId: number, jobs: ClaimedWebhook[]): void {
    this.inFlight.set(subscriptionId, (this.inFlight.get(subscriptionId) ?? 0) + 1);
    const run: Promise<void> = this.process(subscriptionId, jobs)
      .catch((err: unknown) =>
        this.o.log?.error(
          { err, deliveries: jobs.map((j) => j.id), subscription: subscriptionId },
          'webhook delivery failed',
        ),
      )
      .finally(() => {
        const left = (this.inFlight.get(subscriptionId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(subscriptionId, left);
        else this.inFlight.delete(subscriptionId);
        this.running.delete(run);
        this.nudgeQueue();
      });
    this.running.add(run);
  }

  /** The subscription, read at most once a second per worker. */
  private async subscription(
    workspaceId: number,
    id: number,
    nowMs: number,
  ): Promise<SubscriptionRow | undefined> {
    const hit = this.subscriptions.get(id);
    if (hit && nowMs - hit.atMs < SUBSCRIPTION_TTL_MS) return hit.row;
    const row = await findSubscriptionById(this.o.store.db, workspaceId, id);
    if (this.subscriptions.size > 10_000) this.subscriptions.clear();
    this.subscriptions.set(id, { row, atMs: nowMs });
    return row;
  }

  /**
   * Records an attempt's result. Results that finish together are recorded together, in one
   * transaction of a few statements (store/webhooks/results.ts), instead of one transaction each:
   * the store's writer is shared with every Track write. Resolves once committed.
   */
  private record(result: WebhookResult): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.results.push({ result, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      // Let the results of sends finishing at the same moment join this commit.
      await new Promise<void>((r) => setImmediate(r));
      while (this.results.length > 0) {
        const take = this.results.splice(0, RESULTS_PER_COMMIT);
        const nowMs = this.o.clock.now();
        try {
          const paused = await this.o.store.transaction((trx) =>
            recordWebhookResults(
              trx,
              this.o.store.dialect,
              take.map((t) => t.result),
              {
                pauseAfter: this.o.pauseAfterFailures,
                nowMs,
                runReason: (last) =>
                  `${this.o.pauseAfterFailures} failed attempts in a row; the last: ${last}`,
              },
            ),
          );
          for (const id of paused) {
            this.subscriptions.delete(id);
            this.o.log?.warn?.({ subscription: id }, 'webhook subscription paused');
          }
          for (const t of take) t.resolve();
        } catch (err) {
          for (const t of take) t.reject(err);
        }
      }
    })().finally(() => {
      this.flushing = undefined;
      if (this.results.length > 0) this.flush();
    });
  }

  private async prune(nowMs: number): Promise<void> {
    const every = this.cursors.rounds > 0 ? PRUNE_EVENTS_ACTIVE_MS : PRUNE_EVENTS_IDLE_MS;
    if (nowMs - this.lastEventPruneMs >= every) {
      this.lastEventPruneMs = nowMs;
      this.cursors.rounds = 0;
      await this.o.store.transaction((trx) =>
        pruneWebhookEvents(trx, this.o.store.dialect, {
          passedBeforeMs: nowMs - REPLAY_KEEP_MS,
          dropBeforeMs: nowMs - this.o.keepMs,
          limit: PRUNE_EVENTS_BATCH,
        }),
      );
    }
    if (nowMs - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = nowMs;
    await this.o.store.transaction((trx) => pruneWebhookHistory(trx, nowMs - this.o.keepMs, PRUNE_BATCH));
  }

  /** Sends one request: one delivery, or a batch of one subscription's (each of another person). */
  private async process(subscriptionId: number, claimed: ClaimedWebhook[]): Promise<void> {
    const store = this.o.store;
    const nowMs = this.o.clock.now();
    const sub = await this.subscription(claimed[0]!.workspaceId, subscriptionId, nowMs);
    if (!sub) return; // deleted with its deliveries
    if (!sub.enabled || sub.pausedAt !== null || this.stopping.signal.aborted) {
      // Turned off or paused since the claim (or this process is stopping): back, no attempt spent.
      await store.transaction(async (trx) => {
        for (const job of claimed) await rescheduleWebhookDelivery(trx, job, nowMs, null, true);
      });
      return;
    }
    const expired = claimed.filter((job) => nowMs - job.createdAtMs > this.o.maxAgeMs);
    const jobs = claimed.filter((job) => nowMs - job.createdAtMs <= this.o.maxAgeMs);
    const done: Array<Promise<void>> = expired.map((job) =>
      this.record({
        job,
        attempt: null,
        next: { status: 'failed', error: 'expired: not delivered within its retry period' },
        gone: false,
      }),
    );
    if (jobs.length === 0) return void (await Promise.all(done));
    const first = jobs[0]!;
    // A subscription taking batches always gets `{"events": [...]}`, even with one event in it.
    const batched = sub.batch > 1;
    const body = batched ? `{"events":[${jobs.map((j) => j.payload).join(',')}]}` : first.payload;
    const attemptNo = Math.max(...jobs.map((j) => j.attempts));
    const answer: WebhookAnswer = await this.o.http.post({
      url: sub.url,
      body,
      ...(first.request ? { method: first.request.method } : {}),
      headers: webhookHeaders({
        ...sub,
        nowMs,
        body,
        id: batched ? `bat_${ulid()}` : first.eventId,
        event: batched ? 'batch' : first.event,
        attempt: attemptNo,
        batchSize: batched ? jobs.length : undefined,
        ...(first.request ? {} : { subscriptionId: sub.id }),
        // A campaign webhook action's rendered headers (Roster's own cannot be overridden).
        extra: first.request && !batched ? first.request.headers : undefined,
      }),
      signal: this.stopping.signal,
    });
    const doneMs = this.o.clock.now();
    if (this.stopping.signal.aborted && answer.statusCode === null) {
      // Shutdown cut the request short: not the receiver's fault, so no attempt is spent.
      await store.transaction(async (trx) => {
        for (const job of jobs) await rescheduleWebhookDelivery(trx, job, doneMs, 'shutdown', true);
      });
      await Promise.all(done);
      return;
    }
    const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
    // A campaign endpoint is not paused by a 410: that send fails like any other refusal.
    const gone = answer.statusCode === 410 && first.request === null;
    let soonest = Infinity;
    for (const job of jobs) {
      const delay = backoffMs(job.attempts, answer.retryAfterMs, this.o.random, {
        baseMs: this.o.retryBaseMs,
        maxMs: this.o.retryMaxMs,
      });
      const giveUp = !ok && !gone && doneMs + delay - job.createdAtMs > this.o.maxAgeMs;
      const attempt: AttemptRecord = {
        attemptedAtMs: nowMs,
        statusCode: answer.statusCode,
        latencyMs: answer.latencyMs,
        outcome: ok ? 'delivered' : giveUp ? 'failed' : 'retry',
        error: answer.error,
        responseExcerpt: answer.excerpt,
      };
      const error = answer.error ?? 'failed';
      if (!ok && !giveUp && !gone) soonest = Math.min(soonest, delay);
      done.push(
        this.record({
          job,
          attempt,
          next: ok
            ? { status: 'delivered' }
            : giveUp
              ? { status: 'failed', error: `${error} (gave up after ${job.attempts} attempts)` }
              : // A 410 keeps the delivery queued: the subscription pauses, and turning it back on sends it first.
                { status: 'retry', runAtMs: doneMs + (gone ? 0 : delay), error },
          gone,
        }),
      );
    }
    await Promise.all(done);
    if (soonest !== Infinity) this.poller.wakeIn(soonest);
  }
}
