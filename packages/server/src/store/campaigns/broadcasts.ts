import type { Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { BroadcastTriggersTable } from '../schema/index.js';
import type { Tx } from '../store.js';

export type BroadcastTriggerRow = Selectable<BroadcastTriggersTable>;

/** A pending trigger (JSON columns as text); returns its id. */
export async function insertBroadcastTrigger(
  db: Tx,
  t: { workspaceId: number; campaignId: number; data: string; audience: string },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('broadcast_triggers')
    .values({
      workspace_id: t.workspaceId,
      campaign_id: t.campaignId,
      data: t.data,
      audience: t.audience,
      status: 'pending',
      cursor: 0,
      queued: 0,
      claimed_by: null,
      claimed_until_ms: null,
      error: null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function broadcastTriggerById(
  db: Tx,
  workspaceId: number,
  campaignId: number,
  id: number,
): Promise<BroadcastTriggerRow | undefined> {
  return db
    .selectFrom('broadcast_triggers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', '=', campaignId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A trigger as its later statements name it: by workspace and id (one shard under Citus). */
export interface BroadcastTriggerKey {
  workspaceId: number;
  id: number;
}

/**
 * Claims the oldest pending trigger of any workspace nobody holds a live claim on, for `claim`
 * until `untilMs` (the one cross-workspace poll; docs/scaling.md). PostgreSQL: `FOR UPDATE SKIP
 * LOCKED`, so concurrent claimers pass over each other's rows.
 */
export async function claimBroadcastTrigger(
  trx: Tx,
  dialect: DialectName,
  claim: string,
  nowMs: number,
  untilMs: number,
): Promise<BroadcastTriggerKey | undefined> {
  let q = trx
    .selectFrom('broadcast_triggers')
    .select(['id', 'workspace_id'])
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', nowMs)]))
    .orderBy('id')
    .limit(1);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  const row = await q.executeTakeFirst();
  if (!row) return undefined;
  const key = { workspaceId: Number(row.workspace_id), id: Number(row.id) };
  await trx
    .updateTable('broadcast_triggers')
    .set({ claimed_by: claim, claimed_until_ms: untilMs })
    .where('workspace_id', '=', key.workspaceId)
    .where('id', '=', key.id)
    .execute();
  return key;
}

/** Extends `claim`'s hold on a pending trigger; undefined when the claim was lost. */
export async function renewBroadcastClaim(
  trx: Tx,
  t: BroadcastTriggerKey,
  claim: string,
  untilMs: number,
  now: number,
): Promise<BroadcastTriggerRow | undefined> {
  return trx
    .updateTable('broadcast_triggers')
    .set({ claimed_until_ms: untilMs, updated_at: now })
    .where('workspace_id', '=', t.workspaceId)
    .where('id', '=', t.id)
    .where('claimed_by', '=', claim)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export async function finishBroadcastTrigger(
  trx: Tx,
  t: BroadcastTriggerKey,
  status: 'done' | 'failed',
  error: string | null,
  now: number,
): Promise<void> {
  await trx
    .updateTable('broadcast_triggers')
    .set({ status, error, finished_at: now, claimed_by: null, claimed_until_ms: null })
    .where('workspace_id', '=', t.workspaceId)
    .where('id', '=', t.id)
    .execute();
}

/** After a page: where the next one starts, and how many sends were queued so far. */
export async function advanceBroadcastTrigger(
  trx: Tx,
  t: BroadcastTriggerKey,
  cursor: number,
  queued: number,
): Promise<void> {
  await trx
    .updateTable('broadcast_triggers')
    .set({ cursor, queued })
    .where('workspace_id', '=', t.workspaceId)
    .where('id', '=', t.id)
    .execute();
}
