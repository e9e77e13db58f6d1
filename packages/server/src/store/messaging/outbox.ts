import { sql } from 'kysely';
import { parseJson, toJson, type Store, type Tx } from '../store.js';

export interface OutboxEntry {
  workspaceId: number;
  deliveryId: string;
  kind: 'push';
  payload: unknown;
  runAtMs: number;
  /** `draft` rows are never claimed (`queue_draft`); default `pending`. */
  status?: 'pending' | 'draft';
}

/** A row this worker holds until `claimedUntilMs`; `claim` fences the result write. */
export interface ClaimedJob {
  id: number;
  workspaceId: number;
  deliveryId: string;
  kind: string;
  payload: unknown;
  /** Including this claim. */
  attempts: number;
  claim: string;
  claimedUntilMs: number;
}

/** Enqueues inside the caller's transaction, so a send is queued if and only if its cause commits. */
export async function enqueueOutbox(trx: Tx, entries: readonly OutboxEntry[], nowS: number): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      entries.map((e) => ({
        workspace_id: e.workspaceId,
        delivery_id: e.deliveryId,
        kind: e.kind,
        payload: toJson(e.payload),
        run_at_ms: e.runAtMs,
        attempts: 0,
        claimed_by: null,
        claimed_until_ms: null,
        status: e.status ?? 'pending',
        last_error: null,
        created_at: nowS,
      })),
    )
    .execute();
}

/**
 * Claims up to `limit` due rows for `claim` until `nowMs + leaseMs`. A row is due when it is
 * pending, its `run_at_ms` has come, and nobody holds a live lease on it — so a row claimed by a
 * worker that died is claimed again once its lease runs out.
 *
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over each other's rows instead
 * of waiting or double-claiming. SQLite: one `UPDATE … RETURNING` under `BEGIN IMMEDIATE`, which
 * admits one writer at a time, so selection and claim are atomic.
 */
export async function claimDue(
  store: Store,
  opts: { claim: string; nowMs: number; leaseMs: number; limit: number },
): Promise<ClaimedJob[]> {
  const { claim, nowMs, leaseMs, limit } = opts;
  const until = nowMs + leaseMs;
  const rows = await store.transaction(async (trx) => {
    const db = trx;
    let due = db
      .selectFrom('outbox')
      .select('id')
      .where('status', '=', 'pending')
      .where('run_at_ms', '<=', nowMs)
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', nowMs)]))
      .orderBy('run_at_ms')
      .orderBy('id')
      .limit(limit);
    if (store.dialect === 'postgres') due = due.forUpdate().skipLocked();
    const ids = (await due.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return db
      .updateTable('outbox')
      .set({ claimed_by: claim, claimed_until_ms: until, attempts: sql<number>`attempts + 1` })
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
  return rows
    .map((r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      deliveryId: r.delivery_id,
      kind: r.kind,
      payload: parseJson(r.payload),
      attempts: r.attempts,
      claim,
      claimedUntilMs: until,
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Marks the row finished — only if this claim still holds it. Returns false when the lease ran
 * out and another worker took the row over; the caller then records nothing (the other worker will).
 */
export async function finishJob(
  trx: Tx,
  job: ClaimedJob,
  status: 'sent' | 'failed' | 'skipped',
  lastError: string | null,
): Promise<boolean> {
  const res = await trx
    .updateTable('outbox')
    .set({ status, last_error: lastError, claimed_by: null, claimed_until_ms: null })
    .where('id', '=', job.id)
    .where('claimed_by', '=', job.claim)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Releases the row to run again at `runAtMs`. `refund` gives back the attempt the claim counted
 * (used when the worker only waited for the rate limit and never called the provider).
 */
export async function rescheduleJob(
  trx: Tx,
  job: ClaimedJob,
  runAtMs: number,
  lastError: string | null,
  refund = false,
): Promise<boolean> {
  const res = await trx
    .updateTable('outbox')
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
  return Number(res.numUpdatedRows) === 1;
}

/** Pending outbox rows by kind, and how many of them are due by `nowMs` (the `/metrics` gauges). */
export async function outboxDepth(
  db: Tx,
  nowMs: number,
): Promise<Array<{ kind: string; pending: number; due: number }>> {
  const rows = await sql<{ kind: string; n: number | string; due: number | string | null }>`
    select kind, count(*) as n, sum(case when run_at_ms <= ${nowMs} then 1 else 0 end) as due
    from outbox where status = 'pending' group by kind`.execute(db);
  return rows.rows.map((r) => ({ kind: r.kind, pending: Number(r.n), due: Number(r.due ?? 0) }));
}
