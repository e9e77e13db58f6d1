import type { Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { CampaignPendingSendsTable } from '../schema/index.js';
import type { Tx } from '../store.js';

export type PendingSendRow = Selectable<CampaignPendingSendsTable>;

/** Records a decided send (JSON `data` as text) in the deciding write's transaction. */
export async function insertPendingSend(
  trx: Tx,
  s: {
    workspaceId: number;
    campaignId: number;
    personPid: number;
    triggerKey: string;
    data: string;
    sendAtMs: number;
  },
  now: number,
): Promise<void> {
  await trx
    .insertInto('campaign_pending_sends')
    .values({
      workspace_id: s.workspaceId,
      campaign_id: s.campaignId,
      person_pid: s.personPid,
      trigger_key: s.triggerKey,
      data: s.data,
      send_at_ms: s.sendAtMs,
      attempts: 0,
      claimed_by: null,
      claimed_until_ms: null,
      created_at: now,
    })
    .execute();
}

/**
 * Claims up to `limit` pending sends nobody holds a live claim on, oldest first, for `claim` until
 * `untilMs`, counting an attempt on each. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two servers
 * claiming at once take different rows. Deliberately across workspaces (one queue for the whole
 * database: docs/scaling.md "Past one database"); the update names each row's full key.
 */
export async function claimPendingSends(
  trx: Tx,
  dialect: DialectName,
  claim: string,
  nowMs: number,
  untilMs: number,
  limit: number,
): Promise<PendingSendRow[]> {
  let q = trx
    .selectFrom('campaign_pending_sends')
    .select(['id', 'workspace_id'])
    .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', nowMs)]))
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') q = q.forUpdate().skipLocked();
  const keys = await q.execute();
  if (keys.length === 0) return [];
  return trx
    .updateTable('campaign_pending_sends')
    .set((eb) => ({ claimed_by: claim, claimed_until_ms: untilMs, attempts: eb('attempts', '+', 1) }))
    .where((eb) =>
      eb(
        eb.refTuple('id', 'workspace_id'),
        'in',
        keys.map((k) => eb.tuple(k.id, k.workspace_id)),
      ),
    )
    .returningAll()
    .execute()
    .then((rows) => rows.sort((a, b) => Number(a.id) - Number(b.id)));
}

/**
 * Removes a pending send this claim still holds; false when the claim was lost (its lease ran out
 * and another worker took the row), in which case the caller must write nothing.
 */
export async function finishPendingSend(
  trx: Tx,
  row: { id: number; workspace_id: number },
  claim: string,
): Promise<boolean> {
  const res = await trx
    .deleteFrom('campaign_pending_sends')
    .where('workspace_id', '=', Number(row.workspace_id))
    .where('id', '=', Number(row.id))
    .where('claimed_by', '=', claim)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** How many decided sends wait to be rendered (all workspaces, deliberately): `/metrics`. */
export async function pendingSendCount(db: Tx): Promise<number> {
  const row = await db
    .selectFrom('campaign_pending_sends')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
