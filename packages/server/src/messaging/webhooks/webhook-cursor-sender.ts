import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../lib/clock.js';
import { ulid } from '../../lib/ulid.js';
import type { Store } from '../../store/store.js';
import {
  leaseWebhookCursors,
  placeWebhookEvents,
  readWebhookCursor,
  recordWebhookCursorRound,
  releaseWebhookCursors,
  type CursorAttempt,
  type CursorEvent,
  type CursorRound,
  type CursorSubscription,
} from '../../store/webhooks/cursors.js';
import { backoffMs } from '../delivery/backoff.js';
import type { WebhookAnswer, WebhookHttp } from './webhook-http.js';
import { webhookHeaders } from './webhook-request.js';

export interface CursorSenderOptions {
  store: Store;
  clock: Clock;
  http: Pick<WebhookHttp, 'post'>;
  /** This sender's lease holder name. */
  me: string;
  leaseMs: number;
  /** Subscriptions worked on at once. */
  concurrency: number;
  /** Batch 1: requests in flight at once to one subscription (each of another person). */
  window: number;
  pauseAfterFailures: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAgeMs: number;
  random: () => number;
  signal: AbortSignal;
  /** A retry is due in this long: look again then. */
  wakeIn: (ms: number) => void;
  onPaused: (subscriptionId: number) => void;
  /** A lane ended: look again (events may have come during its last round). */
  onLaneEnd: () => void;
  log?: { error(obj: unknown, msg: string): void } | undefined;
}

/**
 * After a round that took every event there was, a lane waits this long and reads again (ending
 * when nothing came): under load each request then carries what came meanwhile instead of a
 * round per few events, at the cost of this much latency.
 */
const LINGER_MS = 50;

/** What a round leaves the lane to do: go on at once, go on after `LINGER_MS`, or end. */
type Next = 'more' | 'linger' | 'end';

/** Events placed in commit order per tick at most (PostgreSQL). */
const PLACE_BATCH = 5_000;

const ok = (a: WebhookAnswer) => a.statusCode !== null && a.statusCode >= 200 && a.statusCode < 300;

/** Batch 1: the oldest events up to the first that is of a person already among them. */
function distinctPrefix(events: readonly CursorEvent[]): CursorEvent[][] {
  const keys = new Set<string>();
  const out: CursorEvent[][] = [];
  for (const e of events) {
    if (keys.has(e.orderKey)) break;
    keys.add(e.orderKey);
    out.push([e]);
  }
  return out;
}

/**
 * Sends subscriptions' events by cursor (store/webhooks/cursors.ts, docs/webhooks.md "How
 * deliveries are made"). Each tick leases the subscriptions with events past their cursor and
 * runs one lane per subscription: read the next events it wants, POST them (one request with up
 * to `batch` events, or with batch 1 up to `window` requests at once, each of another person),
 * then record one attempt row per request and move the cursor, in one transaction. A failure
 * keeps the cursor (the same events are sent again after a backoff), so each person's events go
 * in order; other subscriptions' lanes go on meanwhile.
 */
export class CursorSender {
  private readonly lanes = new Map<number, Promise<void>>();
  /** Rounds recorded since the caller last asked (the caller prunes after activity). */
  rounds = 0;

  constructor(private readonly o: CursorSenderOptions) {}

  /** Places new events (PostgreSQL) and starts a lane for each subscription with work. Resolves true if more is waiting. */
  async tick(nowMs: number): Promise<boolean> {
    const placed = await placeWebhookEvents(this.o.store, PLACE_BATCH);
    const room = this.o.concurrency - this.lanes.size;
    if (room <= 0) return placed === PLACE_BATCH;
    const subs = await leaseWebhookCursors(this.o.store, {
      me: this.o.me,
      nowMs,
      leaseMs: this.o.leaseMs,
      limit: room,
      busy: new Set(this.lanes.keys()),
    });
    for (const s of subs) this.start(s);
    return placed === PLACE_BATCH;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.lanes.values()]);
    await releaseWebhookCursors(this.o.store, this.o.me);
  }

  private start(s: CursorSubscription): void {
    const lane = (async () => {
      for (let next: Next = 'more'; next !== 'end' && !this.o.signal.aborted;) {
        if (next === 'linger') await sleep(LINGER_MS, undefined, { signal: this.o.signal }).catch(() => {});
        next = await this.round(s);
      }
    })()
      .catch((err: unknown) => this.o.log?.error({ err, subscription: s.id }, 'webhook delivery failed'))
      .finally(() => {
        this.lanes.delete(s.id);
        this.o.onLaneEnd();
      });
    this.lanes.set(s.id, lane);
  }

  /** One read, send and record. */
  private async round(s: CursorSubscription): Promise<Next> {
    const nowMs = this.o.clock.now();
    const limit = s.batch > 1 ? s.batch : this.o.window;
    const { events, horizon } = await readWebhookCursor(this.o.store.db, this.o.store.dialect, s, limit);
    if (events.length === 0) {
      // Nothing it wants up to the horizon: the cursor moves past what others wanted.
      if (horizon > s.cursorPos) await this.record(s, { attempts: [], cursorPos: horizon, nowMs });
      return 'end';
    }
    let expired = 0;
    while (expired < events.length && nowMs - events[expired]!.createdAtMs > this.o.maxAgeMs) expired++;
    if (expired > 0) {
      const gone = events.slice(0, expired);
      const held = await this.record(s, {
        attempts: [],
        cursorPos: gone[gone.length - 1]!.pos,
        expired: gone,
        nowMs,
      });
      return held ? 'more' : 'end';
    }
    const groups = s.batch > 1 ? [events] : distinctPrefix(events);
    const sent = await Promise.all(groups.map((g) => this.send(s, g, nowMs)));
    if (this.o.signal.aborted && sent.some((a) => a.answer.statusCode === null)) return 'end';
    return this.settle(s, { events, horizon, limit, groups, sent, nowMs });
  }

  private async send(
    s: CursorSubscription,
    events: CursorEvent[],
    nowMs: number,
  ): Promise<{ answer: WebhookAnswer; requestId: string }> {
    const batched = s.batch > 1;
    const body = batched ? `{"events":[${events.map((e) => e.payload).join(',')}]}` : events[0]!.payload;
    const requestId = batched ? `bat_${ulid()}` : events[0]!.eventId;
    const answer = await this.o.http.post({
      url: s.url,
      body,
      headers: webhookHeaders({
        ...s,
        nowMs,
        body,
        id: requestId,
        event: batched ? 'batch' : events[0]!.kind,
        attempt: s.retryAttempts + 1,
        subscriptionId: s.id,
        batchSize: batched ? events.length : undefined,
      }),
      signal: this.o.signal,
    });
    return { answer, requestId };
  }

  /** Records what the requests came to: the cursor passes the events delivered from the head on. */
  private async settle(
    s: CursorSubscription,
    r: {
      events: CursorEvent[];
      horizon: number;
      limit: number;
      groups: CursorEvent[][];
      sent: Array<{ answer: WebhookAnswer; requestId: string }>;
      nowMs: number;
    },
  ): Promise<Next> {
    const doneMs = this.o.clock.now();
    let through = 0;
    while (through < r.groups.length && ok(r.sent[through]!.answer)) through++;
    const all = through === r.groups.length;
    const last = (i: number) => r.groups[i]![r.groups[i]!.length - 1]!.pos;
    const coveredAll = r.groups.flat().length === r.events.length && r.events.length < r.limit;
    const cursorPos = all
      ? coveredAll
        ? r.horizon
        : last(through - 1)
      : through > 0
        ? last(through - 1)
        : s.cursorPos;
    const failed = r.sent.filter((x) => !ok(x.answer));
    const gone = failed.some((x) => x.answer.statusCode === 410);
    const lastError = failed[failed.length - 1]?.answer.error ?? 'failed';
    const retryAfter = Math.max(0, ...failed.map((x) => x.answer.retryAfterMs ?? 0));
    const delay = backoffMs(s.retryAttempts + 1, retryAfter || undefined, this.o.random, {
      baseMs: this.o.retryBaseMs,
      maxMs: this.o.retryMaxMs,
    });
    const attempts: CursorAttempt[] = r.sent.map((x, i) => ({
      events: r.groups[i]!,
      requestId: x.requestId,
      attemptedAtMs: r.nowMs,
      statusCode: x.answer.statusCode,
      latencyMs: x.answer.latencyMs,
      outcome: ok(x.answer) ? 'delivered' : 'retry',
      error: x.answer.error,
      responseExcerpt: x.answer.excerpt,
    }));
    const goOn = await this.record(s, {
      attempts,
      cursorPos,
      nowMs: doneMs,
      ...(all
        ? {}
        : {
            retry: { atMs: doneMs + (gone ? 0 : delay), error: lastError },
            failures: failed.length,
            pause: (run: number) =>
              gone
                ? 'the receiver answered 410 Gone'
                : run >= this.o.pauseAfterFailures
                  ? `${this.o.pauseAfterFailures} failed attempts in a row; the last: ${lastError}`
                  : null,
          }),
    });
    if (!all && !gone) this.o.wakeIn(delay);
    return !goOn || !all ? 'end' : coveredAll ? 'linger' : 'more';
  }

  /** Records a round; false when the lane should stop (lease lost, a retry waits, paused). */
  private async record(
    s: CursorSubscription,
    r: Pick<CursorRound, 'attempts' | 'cursorPos' | 'nowMs'> & Partial<CursorRound>,
  ): Promise<boolean> {
    const round: CursorRound = {
      sub: s,
      me: this.o.me,
      expired: [],
      retry: null,
      failures: 0,
      pause: null,
      leaseUntilMs: r.nowMs + this.o.leaseMs,
      ...r,
    };
    const res = await this.o.store.transaction((trx) => recordWebhookCursorRound(trx, round));
    this.rounds++;
    if (!res.held) return false;
    s.cursorPos = round.cursorPos;
    s.leaseUntilMs = round.leaseUntilMs;
    if (round.retry) {
      s.retryAttempts++;
      s.retryAtMs = round.retry.atMs;
      s.retryError = round.retry.error;
    } else {
      s.retryAttempts = 0;
      s.retryAtMs = 0;
      s.retryError = null;
    }
    if (res.paused) this.o.onPaused(s.id);
    return round.retry === null && !res.paused;
  }
}
