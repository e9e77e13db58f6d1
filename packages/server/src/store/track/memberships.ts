import type { Selectable } from 'kysely';
import type { SegmentsTable } from '../schema/index.js';
import type { Tx } from '../store.js';

export async function findSegment(
  trx: Tx,
  workspaceId: number,
  segmentId: number,
): Promise<Selectable<SegmentsTable> | undefined> {
  return trx
    .selectFrom('segments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', segmentId)
    .executeTakeFirst();
}

/** Returns true when the person was not a member before. */
export async function addMembership(
  trx: Tx,
  workspaceId: number,
  segmentId: number,
  personPid: number,
  now: number,
): Promise<boolean> {
  const r = await trx
    .insertInto('segment_memberships')
    .values({ workspace_id: workspaceId, segment_id: segmentId, person_pid: personPid, entered_at: now })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Returns true when the person was a member. */
export async function removeMembership(
  trx: Tx,
  workspaceId: number,
  segmentId: number,
  personPid: number,
): Promise<boolean> {
  const r = await trx
    .deleteFrom('segment_memberships')
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .where('person_pid', '=', personPid)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Moves a person's manual-segment memberships to another person (merge). */
export async function moveManualMemberships(
  trx: Tx,
  workspaceId: number,
  fromPid: number,
  toPid: number,
  now: number,
): Promise<number> {
  const rows = await trx
    .selectFrom('segment_memberships')
    .innerJoin('segments', 'segments.id', 'segment_memberships.segment_id')
    .select(['segment_memberships.segment_id', 'segment_memberships.workspace_id'])
    .where('segment_memberships.workspace_id', '=', workspaceId)
    .where('segments.workspace_id', '=', workspaceId)
    .where('segment_memberships.person_pid', '=', fromPid)
    .where('segments.type', '=', 'manual')
    .execute();
  let moved = 0;
  for (const r of rows) if (await addMembership(trx, r.workspace_id, r.segment_id, toPid, now)) moved++;
  return moved;
}
