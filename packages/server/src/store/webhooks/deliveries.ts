import { sql } from 'kysely';
import { executeLater, placeholders, StatementsByCount } from '../sql.js';
import { parseJson, toJson, type Store, type Tx } from '../store.js';

/** One event for one subscription, written in the transaction of the change that caused it. */
export interface WebhookDeliveryEntry {
  workspaceId: number;
  subscriptionId: number;
  eventId: string;
  event: string;
  orderKey: string;
  payload: unknown;
  nowMs: number;
}

const INSERT = new StatementsByCount(
  (n) =>
    `insert into webhook_deliveries (workspace_id, subscription_id, event_id, event, order_key, payload, status, attempts, run_at_ms, created_at_ms)
     values ${Array.from({ length: n }, () => `(${placeholders(10)})`).join(', ')}`,
);
const ROWS_PER_INSERT = 400;

/** Queues deliveries inside the caller's transaction: they exist if and only if the change commits. */
export async function enqueueWebhookDeliveries(
  trx: Tx,
  entries: readonly WebhookDeliveryEntry[],
): Promise<void> {
  for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
    const chunk = entries.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (const e of chunk)
      params.push(
        e.workspaceId,
        e.subscriptionId,
        e.eventId,
        e.event,
        e.orderKey,
        toJson(e.payload),
        'pending',
        0,
        e.nowMs,
        e.nowMs,
      );
    await executeLater(trx, INSERT.get(chunk.length), params);
  }
}

export interface ClaimedWebhook {
  id: number;
  workspaceId: number;
  subscriptionId: number;
  eventId: string;
  event: string;
  payload: unknown;
  /** Including this claim. */
  attempts: number;
  createdAtMs: number;
  claim: string;
  claimedUntilMs: number;
}

/**
 * Claims due deliveries for `claim` until `nowMs + leaseMs`, at most `free(subscriptionId)` per
 * subscription (so one slow receiver cannot take every lane). A delivery is due when it is pending,
 * its time has come, nobody holds a live lease on it, its subscription is on and not paused, and no
 * older delivery of the same subscription and `order_key` is still pending — that last rule is what
 * keeps each person's deliveries in order across retries and workers.
 *
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` so concurrent claimers pass over each other's rows; a row
 * another claimer holds is still pending, so the rows behind it stay blocked. SQLite: one writer
 * at a time makes selection and claim atomic.
 */
export async function claimWebhookDeliveries(
  store: Store,
  opts: {
    claim: string;
    nowMs: number;
    leaseMs: number;
    limit: number;
    free: (subscriptionId: number) => number;
  },
): Promise<ClaimedWebhook[]> {
  const { claim, nowMs, leaseMs, limit } = opts;
  const until = nowMs + leaseMs;
  const lock = store.dialect === 'postgres' ? sql` for update of d skip locked` : sql``;
  const rows = await store.transaction(async (trx) => {
    const candidates = await sql<{ id: number | string; subscription_id: number | string }>`
      select d.id, d.subscription_id from webhook_deliveries d
      join webhook_subscriptions s on s.id = d.subscription_id
      where d.status = 'pending' and d.run_at_ms <= ${nowMs}
        and (d.claimed_until_ms is null or d.claimed_until_ms < ${nowMs})
        and s.enabled = 1 and s.paused_at is null
        and not exists (
          select 1 from webhook_deliveries e
          where e.subscription_id = d.subscription_id and e.order_key = d.order_key
            and e.status = 'pending' and e.id < d.id)
      order by d.run_at_ms, d.id
      limit ${limit * 4}${lock}`.execute(trx);
    const taken = new Map<number, number>();
    const ids: number[] = [];
    for (const c of candidates.rows) {
      const sub = Number(c.subscription_id);
      const n = taken.get(sub) ?? 0;
      if (n >= opts.free(sub)) continue;
      taken.set(sub, n + 1);
      ids.push(Number(c.id));
      if (ids.length >= limit) break;
    }
    if (ids.length === 0) return [];
    return trx
      .updateTable('webhook_deliveries')
      .set({ claimed_by: claim, claimed_until_ms: until, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', ids)
      .returning([
        'id',
        'workspace_id',
        'subscription_id',
        'event_id',
        'event',
        'payload',
        'attempts',
        'created_at_ms',
      ])
      .execute();
  });
  return rows
    .map((r) => ({
      id: Number(r.id),
      workspaceId: Number(r.workspace_id),
      subscriptionId: Number(r.subscription_id),
      eventId: r.event_id,
      event: r.event,
      payload: parseJson(r.payload),
      attempts: Number(r.attempts),
      createdAtMs: Number(r.created_at_ms),
      claim,
      claimedUntilMs: until,
    }))
    .sort((a, b) => a.id - b.id);
}

/** What one HTTP attempt came to. */
export interface AttemptRecord {
  attemptedAtMs: number;
  statusCode: number | null;
  latencyMs: number;
  outcome: 'delivered' | 'retry' | 'failed';
  error: string | null;
  responseExcerpt: string | null;
}

/** Finishes the delivery, only if this claim still holds it (false: the lease passed on). */
export async function finishWebhookDelivery(
  trx: Tx,
  job: ClaimedWebhook,
  status: 'delivered' | 'failed',
  lastError: string | null,
  nowMs: number,
): Promise<boolean> {
  const r = await trx
    .updateTable('webhook_deliveries')
    .set({ status, last_error: lastError, claimed_by: null, claimed_until_ms: null, finished_at_ms: nowMs })
    .where('id', '=', job.id)
    .where('claimed_by', '=', job.claim)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Releases the delivery to run again at `runAtMs`; `refund` gives back the claim's attempt. */
export async function rescheduleWebhookDelivery(
  trx: Tx,
  job: ClaimedWebhook,
  runAtMs: number,
  lastError: string | null,
  refund = false,
): Promise<boolean> {
  const r = await trx
    .updateTable('webhook_deliveries')
    .set({
      run_at_ms: runAtMs,
      last_error: lastError,
      claimed_by: null,
      claimed_until_ms: null,
      ...(refund ? { attempts: sql<number>`attempts - 1` } : {}),
    })
    .where('id', '=', job.id)
    .where('claimed_by', '=', job.claim)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface DeliveryView {
  id: number;
  eventId: string;
  event: string;
  status: string;
  attempts: number;
  runAtMs: number;
  lastError: string | null;
  createdAtMs: number;
  finishedAtMs: number | null;
  payload: unknown;
}

/** A subscription's deliveries, newest first, before `beforeId`. */
export async function listWebhookDeliveries(
  db: Tx,
  subscriptionId: number,
  opts: { limit: number; beforeId?: number | undefined; status?: string | undefined },
): Promise<DeliveryView[]> {
  let q = db
    .selectFrom('webhook_deliveries')
    .select([
      'id',
      'event_id',
      'event',
      'status',
      'attempts',
      'run_at_ms',
      'last_error',
      'created_at_ms',
      'finished_at_ms',
      'payload',
    ])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    eventId: r.event_id,
    event: r.event,
    status: r.status,
    attempts: Number(r.attempts),
    runAtMs: Number(r.run_at_ms),
    lastError: r.last_error,
    createdAtMs: Number(r.created_at_ms),
    finishedAtMs: r.finished_at_ms === null ? null : Number(r.finished_at_ms),
    payload: parseJson(r.payload),
  }));
}

export interface AttemptView extends AttemptRecord {
  id: number;
  deliveryId: number;
  eventId: string;
}

/** A subscription's attempts, newest first, before `beforeId` (optionally of one delivery). */
export async function listWebhookAttempts(
  db: Tx,
  subscriptionId: number,
  opts: { limit: number; beforeId?: number | undefined; deliveryId?: number | undefined },
): Promise<AttemptView[]> {
  let q = db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.deliveryId !== undefined) q = q.where('delivery_id', '=', opts.deliveryId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    deliveryId: Number(r.delivery_id),
    eventId: r.event_id,
    attemptedAtMs: Number(r.attempted_at_ms),
    statusCode: r.status_code === null ? null : Number(r.status_code),
    latencyMs: Number(r.latency_ms),
    outcome: r.outcome as AttemptRecord['outcome'],
    error: r.error,
    responseExcerpt: r.response_excerpt,
  }));
}

/**
 * Queues finished deliveries of a subscription again as new rows (same event id, so a receiver
 * that already has one can tell; after every pending row of the same person, so order holds).
 * `ids`: these deliveries; otherwise every failed one created at or after `sinceMs`. At most `limit`.
 * Returns the new rows' ids.
 */
export async function replayWebhookDeliveries(
  trx: Tx,
  subscriptionId: number,
  opts: { ids?: readonly number[]; sinceMs?: number; limit: number; nowMs: number },
): Promise<number[]> {
  let q = trx
    .selectFrom('webhook_deliveries')
    .select(['workspace_id', 'subscription_id', 'event_id', 'event', 'order_key', 'payload'])
    .where('subscription_id', '=', subscriptionId)
    .where('status', '!=', 'pending')
    .orderBy('id')
    .limit(opts.limit);
  if (opts.ids) q = q.where('id', 'in', opts.ids.length > 0 ? [...opts.ids] : [-1]);
  else q = q.where('status', '=', 'failed').where('created_at_ms', '>=', opts.sinceMs ?? 0);
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const inserted = await trx
    .insertInto('webhook_deliveries')
    .values(
      rows.map((r) => ({
        workspace_id: r.workspace_id,
        subscription_id: r.subscription_id,
        event_id: r.event_id,
        event: r.event,
        order_key: r.order_key,
        payload: toJson(parseJson(r.payload)),
        status: 'pending',
        attempts: 0,
        run_at_ms: opts.nowMs,
        created_at_ms: opts.nowMs,
      })),
    )
    .returning('id')
    .execute();
  return inserted.map((r) => Number(r.id));
}

/** Pending deliveries (the backlog), and how many of them are due by `nowMs`. */
export async function webhookBacklog(db: Tx, nowMs: number): Promise<{ pending: number; due: number }> {
  const r = await sql<{ n: number | string; due: number | string | null }>`
    select count(*) as n, sum(case when run_at_ms <= ${nowMs} then 1 else 0 end) as due
    from webhook_deliveries where status = 'pending'`.execute(db);
  const row = r.rows[0];
  return { pending: Number(row?.n ?? 0), due: Number(row?.due ?? 0) };
}

/**
 * Forgets finished deliveries and attempts older than `beforeMs`, at most `limit` of each per call
 * (a bounded statement; the worker calls it now and then). Returns how many rows went.
 */
export async function pruneWebhookHistory(db: Tx, beforeMs: number, limit: number): Promise<number> {
  const a = await sql`delete from webhook_attempts where id in (
      select id from webhook_attempts where attempted_at_ms < ${beforeMs} order by id limit ${limit})`.execute(
    db,
  );
  const d = await sql`delete from webhook_deliveries where id in (
      select id from webhook_deliveries where status != 'pending' and finished_at_ms < ${beforeMs}
      order by id limit ${limit})`.execute(db);
  return Number(a.numAffectedRows ?? 0) + Number(d.numAffectedRows ?? 0);
}
