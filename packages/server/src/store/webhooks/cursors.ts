import { sql } from 'kysely';
import type { DialectName } from '../dialect.js';
import { execute, executeLater, queryRows, statement } from '../sql.js';
import { parseJson, type Store, type Tx } from '../store.js';
import type { AttemptRecord } from './deliveries.js';
import { lockWebhookFanOut } from './events.js';
import {
  ATTEMPT_COLUMNS,
  multiRowInsert,
  perDialect,
  powerOfTwoChunks,
  wantsParams,
  wantsSql,
} from './webhook-sql.js';

/**
 * Webhook delivery as a cursor per subscription over `webhook_events` (migration 132,
 * docs/webhooks.md "How deliveries are made"). A change writes one `webhook_events` row in its
 * transaction; each subscription reads the events past its cursor that it wants (its kinds, event
 * names and segments, in SQL), sends them, and records one attempt row per request while moving
 * its cursor, in one small transaction. Events are pruned once every subscription of their
 * workspace has passed them (and they are older than the replay window).
 *
 * An event's position: SQLite's `id` (one writer, so ids come in commit order). PostgreSQL's
 * `pos`, which the sender gives events after they commit (`placeWebhookEvents`), one sender at a
 * time, so that positions come in commit order: a cursor never passes an event that commits later.
 */

/** Event ids start here (migration 132): an event's id never equals a `webhook_deliveries` id. */
export const EVENT_ID_BASE = 1_000_000_000_000;

const POS = (d: DialectName) => (d === 'postgres' ? 'pos' : 'id');

/** A subscription as the cursor sender needs it. */
export interface CursorSubscription {
  id: number;
  workspaceId: number;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntilMs: number | null;
  events: string[];
  eventNames: string[] | null;
  segmentIds: number[] | null;
  batch: number;
  cursorPos: number;
  retryAttempts: number;
  retryAtMs: number;
  retryError: string | null;
  leaseBy: string | null;
  leaseUntilMs: number | null;
}

const SUB_COLUMNS = `id, workspace_id, url, secret, previous_secret, previous_secret_until_ms, events, event_names,
  segment_ids, batch, cursor_pos, retry_attempts, retry_at_ms, retry_error, lease_by, lease_until_ms`;

type RawSub = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toSub(r: RawSub): CursorSubscription {
  return {
    id: Number(r.id),
    workspaceId: Number(r.workspace_id),
    url: String(r.url),
    secret: String(r.secret),
    previousSecret: (r.previous_secret as string | null) ?? null,
    previousSecretUntilMs: num(r.previous_secret_until_ms),
    events: parseJson<string[]>(r.events),
    eventNames: r.event_names === null ? null : parseJson<string[] | null>(r.event_names),
    segmentIds: r.segment_ids === null ? null : parseJson<number[] | null>(r.segment_ids),
    batch: Number(r.batch),
    cursorPos: Number(r.cursor_pos),
    retryAttempts: Number(r.retry_attempts),
    retryAtMs: Number(r.retry_at_ms),
    retryError: (r.retry_error as string | null) ?? null,
    leaseBy: (r.lease_by as string | null) ?? null,
    leaseUntilMs: num(r.lease_until_ms),
  };
}

/**
 * PostgreSQL: gives committed events without a position the next positions, in id order, at most
 * `limit`, one sender at a time (the fan-out lock, held to commit): every position given before is
 * committed, so positions are in commit order. Returns how many were placed. SQLite: nothing to do.
 */
export async function placeWebhookEvents(store: Store, limit: number): Promise<number> {
  if (store.dialect !== 'postgres') return 0;
  if ((await queryRows(store.db, UNPLACED, [])).length === 0) return 0;
  return store.transaction(async (trx) => {
    await lockWebhookFanOut(trx, store.dialect, true);
    const r = await sql<{ n: number | string }>`
      with c as (
        select id, workspace_id, row_number() over (order by id) as rn
        from webhook_events where pos is null order by id limit ${limit}),
      k as (update webhook_event_clock set pos = pos + (select count(*) from c) where id = 1 returning pos)
      update webhook_events e set pos = k.pos - (select count(*) from c) + c.rn
      from c, k where e.id = c.id and e.workspace_id = c.workspace_id
      returning 1 as n`.execute(trx);
    return r.rows.length;
  });
}

const UNPLACED = statement('select id from webhook_events where pos is null limit 1');

const CANDIDATES = perDialect(
  (d) => `select ${SUB_COLUMNS} from webhook_subscriptions s
  where s.campaign_id is null and s.enabled = 1 and s.paused_at is null and s.retry_at_ms <= ?
    and (s.lease_until_ms is null or s.lease_until_ms < ? or s.lease_by = ?)
    and exists (select 1 from webhook_events e where e.workspace_id = s.workspace_id and e.${POS(d)} > s.cursor_pos)
  order by s.retry_at_ms, s.id limit ?`,
);
const TAKE_LEASE = statement(
  `update webhook_subscriptions set lease_by = ?, lease_until_ms = ?
   where id = ? and workspace_id = ? and (lease_until_ms is null or lease_until_ms < ? or lease_by = ?)`,
);

/**
 * Subscriptions with events past their cursor that this sender (`me`) may work on now: running,
 * due (no retry waiting), and leased by nobody else. Each is leased to `me` until `nowMs +
 * leaseMs` (a lease of `me`'s still long enough is kept as it is, without a write); a lease
 * another sender took meanwhile (the conditional UPDATE found it taken) drops the subscription.
 */
export async function leaseWebhookCursors(
  store: Store,
  opts: { me: string; nowMs: number; leaseMs: number; limit: number; busy: ReadonlySet<number> },
): Promise<CursorSubscription[]> {
  const { me, nowMs } = opts;
  const rows = (
    await queryRows<RawSub>(store.db, CANDIDATES, [nowMs, nowMs, me, opts.limit + opts.busy.size])
  )
    .map(toSub)
    .filter((s) => !opts.busy.has(s.id))
    .slice(0, opts.limit);
  const renew = rows.filter((s) => s.leaseBy !== me || (s.leaseUntilMs ?? 0) < nowMs + opts.leaseMs / 2);
  if (renew.length === 0) return rows;
  const until = nowMs + opts.leaseMs;
  const lost = new Set<number>();
  await store.transaction(async (trx) => {
    for (const s of renew)
      if ((await execute(trx, TAKE_LEASE, [me, until, s.id, s.workspaceId, nowMs, me])) === 0) lost.add(s.id);
  });
  for (const s of renew) s.leaseUntilMs = until;
  return rows.filter((s) => !lost.has(s.id));
}

const RELEASE = statement(
  'update webhook_subscriptions set lease_by = null, lease_until_ms = null where lease_by = ?',
);

/** Gives back `me`'s leases (a sender stopping): another sender may take them at once. */
export async function releaseWebhookCursors(store: Store, me: string): Promise<void> {
  await store.transaction((trx) => execute(trx, RELEASE, [me]));
}

/** One event as the cursor reads it. */
export interface CursorEvent {
  id: number;
  pos: number;
  eventId: string;
  kind: string;
  orderKey: string;
  /** JSON text, sent as it is. */
  payload: string;
  createdAtMs: number;
}

const HORIZON = perDialect((d) => `select max(${POS(d)}) as h from webhook_events where workspace_id = ?`);
const READ = perDialect(
  (d) => `select id, ${POS(d)} as pos, event_id, kind, order_key, payload, created_at_ms from webhook_events
  where workspace_id = ? and ${POS(d)} > ? and ${POS(d)} <= ? and ${wantsSql(d)}
  order by ${POS(d)} limit ?`,
);

const jsonText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function toEvent(r: Record<string, unknown>): CursorEvent {
  return {
    id: Number(r.id),
    pos: Number(r.pos),
    eventId: String(r.event_id),
    kind: String(r.kind),
    orderKey: String(r.order_key),
    payload: jsonText(r.payload),
    createdAtMs: Number(r.created_at_ms),
  };
}

/**
 * The next events past the subscription's cursor that it wants, oldest first, at most `limit`,
 * and the horizon: the last position read (read first, so that the events are exactly those up
 * to it). With fewer than `limit` events the cursor may move to the horizon: nothing between is
 * wanted.
 */
export async function readWebhookCursor(
  db: Tx,
  dialect: DialectName,
  s: CursorSubscription,
  limit: number,
): Promise<{ events: CursorEvent[]; horizon: number }> {
  const h = await queryRows<{ h: number | string | null }>(db, HORIZON, [s.workspaceId]);
  const horizon = num(h[0]?.h) ?? 0;
  if (horizon <= s.cursorPos) return { events: [], horizon };
  const rows = await queryRows<Record<string, unknown>>(db, READ, [
    s.workspaceId,
    s.cursorPos,
    horizon,
    ...wantsParams(s),
    limit,
  ]);
  void dialect;
  return { events: rows.map(toEvent), horizon };
}

/** One request a cursor sent: its attempt row. */
export interface CursorAttempt extends AttemptRecord {
  events: readonly CursorEvent[];
  /** The `Roster-Webhook-Id` it carried. */
  requestId: string;
}

const INSERT_ATTEMPTS = multiRowInsert('webhook_attempts', [...ATTEMPT_COLUMNS, 'events']);

/** What a round of a cursor came to. */
export interface CursorRound {
  sub: CursorSubscription;
  me: string;
  attempts: readonly CursorAttempt[];
  /** The cursor's new position (its old one: nothing passed). */
  cursorPos: number;
  /** Events given up on (too old): written as failed deliveries. */
  expired: readonly CursorEvent[];
  /** null: the head went through (or nothing was tried); else the next try. */
  retry: { atMs: number; error: string } | null;
  /** Failed requests this round (lengthen the failure run). */
  failures: number;
  /** Pause now with this reason (410, or the run of failures reached its limit). */
  pause: ((failureRun: number) => string | null) | null;
  nowMs: number;
  leaseUntilMs: number;
}

const ADVANCE = statement(
  `update webhook_subscriptions set cursor_pos = ?, retry_at_ms = 0, retry_attempts = 0, retry_error = null,
     failure_run = 0, lease_until_ms = ?
   where id = ? and workspace_id = ? and cursor_pos = ? and lease_by = ?`,
);
const RETRY = statement(
  `update webhook_subscriptions set cursor_pos = ?, retry_at_ms = ?, retry_attempts = retry_attempts + 1,
     retry_error = ?, failure_run = failure_run + ?, lease_until_ms = ?
   where id = ? and workspace_id = ? and cursor_pos = ? and lease_by = ?
   returning failure_run`,
);

/**
 * Records a round in the caller's transaction: one attempt row per request, the failed deliveries
 * of expired events, and the subscription's cursor and head state — only while `me` still holds it
 * at the position the round started from. Returns false when it did not (another sender took over:
 * nothing but the attempts is written), else whether the subscription was paused.
 */
export async function recordWebhookCursorRound(
  trx: Tx,
  r: CursorRound,
): Promise<{ held: boolean; paused: boolean }> {
  const s = r.sub;
  for (const chunk of powerOfTwoChunks(r.attempts)) {
    const params: unknown[] = [];
    for (const a of chunk)
      params.push(
        s.workspaceId,
        s.id,
        a.events[0]!.id,
        a.requestId,
        a.attemptedAtMs,
        a.statusCode,
        a.latencyMs,
        a.outcome,
        a.error,
        a.responseExcerpt,
        JSON.stringify(a.events.map((e) => [e.id, e.eventId, e.kind, e.createdAtMs])),
      );
    await executeLater(trx, INSERT_ATTEMPTS.get(chunk.length), params);
  }
  const where = [s.id, s.workspaceId, s.cursorPos, r.me];
  if (r.retry === null) {
    const n = await execute(trx, ADVANCE, [r.cursorPos, r.leaseUntilMs, ...where]);
    if (n === 0) return { held: false, paused: false };
    await insertExpired(trx, s, r.expired, r.nowMs);
    return { held: true, paused: false };
  }
  const rows = await queryRows<{ failure_run: number | string }>(trx, RETRY, [
    r.cursorPos,
    r.retry.atMs,
    r.retry.error,
    r.failures,
    r.leaseUntilMs,
    ...where,
  ]);
  if (rows.length === 0) return { held: false, paused: false };
  await insertExpired(trx, s, r.expired, r.nowMs);
  const reason = r.pause?.(Number(rows[0]!.failure_run)) ?? null;
  if (reason === null) return { held: true, paused: false };
  await trx
    .updateTable('webhook_subscriptions')
    .set({ paused_reason: reason, paused_at: Math.floor(r.nowMs / 1000) })
    .where('id', '=', s.id)
    .where('workspace_id', '=', s.workspaceId)
    .where('paused_at', 'is', null)
    .execute();
  return { held: true, paused: true };
}

/** Events given up on, as failed deliveries (replayable with `POST …/replay`). */
async function insertExpired(
  trx: Tx,
  s: CursorSubscription,
  events: readonly CursorEvent[],
  nowMs: number,
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('webhook_deliveries')
    .values(
      events.map((e) => ({
        workspace_id: s.workspaceId,
        subscription_id: s.id,
        event_id: e.eventId,
        event: e.kind,
        order_key: e.orderKey,
        payload: e.payload,
        status: 'failed',
        attempts: s.retryAttempts,
        run_at_ms: nowMs,
        created_at_ms: e.createdAtMs,
        finished_at_ms: nowMs,
        last_error: `expired: not delivered within its retry period${s.retryError ? ` (last: ${s.retryError})` : ''}`,
        blocked: 0,
      })),
    )
    .execute();
}

/** Where a new subscription's cursor starts: after every event its workspace has now. */
export async function webhookHorizon(db: Tx, dialect: DialectName, workspaceId: number): Promise<number> {
  return num((await queryRows<{ h: unknown }>(db, HORIZON, [workspaceId]))[0]?.h) ?? 0;
  void dialect;
}

/** Moves a subscription's cursor to its workspace's horizon (turned on again: it starts from now). */
export async function resetWebhookCursor(trx: Tx, dialect: DialectName, workspaceId: number, id: number) {
  const horizon = await webhookHorizon(trx, dialect, workspaceId);
  await trx
    .updateTable('webhook_subscriptions')
    .set({ cursor_pos: horizon, retry_at_ms: 0, retry_attempts: 0, retry_error: null })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .execute();
}

/** Resuming a paused subscription: its head is tried at once. */
export async function retryWebhookCursorNow(trx: Tx, workspaceId: number, id: number): Promise<void> {
  await trx
    .updateTable('webhook_subscriptions')
    .set({ retry_at_ms: 0 })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .execute();
}

export { pendingCursorEvents, deliveredCursorEvents, findCursorEvent } from './cursor-views.js';
export { pruneWebhookEvents, cursorBacklog } from './cursor-prune.js';
