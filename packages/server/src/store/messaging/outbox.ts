import { sql } from 'kysely';
import { claimUnderLease } from '../lease-claim.js';
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
 * Claims up to `limit` due rows for `claim` until `nowMs + leaseMs`, oldest due first: the claim
 * every leased queue shares (store/lease-claim.ts), so a row claimed by a worker that died is
 * claimed again once its lease runs out.
 */
export async function claimDue(
  store: Store,
  opts: { claim: string; nowMs: number; leaseMs: number; limit: number },
): Promise<ClaimedJob[]> {
  const { claim, nowMs, leaseMs, limit } = opts;
  // The workspaces of the candidates: the claim's UPDATE names them (Citus routes it by them).
  const workspaces = new Map<number, number>();
  const { rows, claimedUntilMs } = await claimUnderLease(store, {
    claim,
    nowMs,
    leaseMs,
    candidates: async (trx, parts) =>
      (
        await sql<{ id: number; workspace_id: number }>`select o.id, o.workspace_id from outbox o
          where ${parts.due('o')}
          order by o.run_at_ms, o.id limit ${limit}${parts.lock()}`.execute(trx)
      ).rows,
    pick: (c) => (workspaces.set(Number(c.id), Number(c.workspace_id)), true),
    mark: (trx, ids, set) =>
      trx
        .updateTable('outbox')
        .set(set)
        .where('workspace_id', 'in', [...new Set(ids.map((id) => workspaces.get(id)!))])
        .where('id', 'in', ids)
        .returningAll()
        .execute(),
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
      claimedUntilMs,
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
    .where('workspace_id', '=', job.workspaceId)
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
    .where('workspace_id', '=', job.workspaceId)
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
