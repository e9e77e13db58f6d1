import { sql, type RawBuilder } from 'kysely';
import type { PersonIdentifiers } from '../activities/activities.js';
import { parseJson, toJson, type Tx } from '../store.js';

/**
 * Set-based membership reads and writes for many people at once (an object change re-evaluates
 * its related people together: docs/objects.md "Segments on objects"). `pids` lists stay at most `SET_CHUNK` long, within both
 * engines' limits on bound parameters.
 */
export const SET_CHUNK = 1000;

/** Which of `pids` (of the workspace) match `predicate` (over `people as p`). */
export async function matchingAmong(
  db: Tx,
  workspaceId: number,
  predicate: RawBuilder<boolean>,
  pids: readonly number[],
): Promise<Set<number>> {
  if (pids.length === 0) return new Set();
  const rows = await sql<{ pid: number }>`select p.pid from people as p
    where p.workspace_id = ${workspaceId} and p.pid in (${sql.join(pids)}) and ${predicate}`.execute(db);
  return new Set(rows.rows.map((r) => Number(r.pid)));
}

/** Which of `pids` are members of the segment. */
export async function membersAmong(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  pids: readonly number[],
): Promise<Set<number>> {
  if (pids.length === 0) return new Set();
  const rows = await db
    .selectFrom('segment_memberships')
    .select('person_pid')
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .where('person_pid', 'in', [...pids])
    .execute();
  return new Set(rows.map((r) => Number(r.person_pid)));
}

export async function addMembers(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  pids: readonly number[],
  now: number,
): Promise<void> {
  if (pids.length === 0) return;
  await db
    .insertInto('segment_memberships')
    .values(
      pids.map((pid) => ({
        workspace_id: workspaceId,
        segment_id: segmentId,
        person_pid: pid,
        entered_at: now,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeMembers(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  pids: readonly number[],
): Promise<void> {
  if (pids.length === 0) return;
  await db
    .deleteFrom('segment_memberships')
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .where('person_pid', 'in', [...pids])
    .execute();
}

export async function identifiersOfPids(
  db: Tx,
  workspaceId: number,
  pids: readonly number[],
): Promise<Map<number, PersonIdentifiers>> {
  if (pids.length === 0) return new Map();
  const rows = await db
    .selectFrom('people')
    .select(['pid', 'id', 'email', 'cio_id'])
    .where('workspace_id', '=', workspaceId)
    .where('pid', 'in', [...pids])
    .execute();
  return new Map(rows.map((r) => [Number(r.pid), { id: r.id, email: r.email, cio_id: r.cio_id }]));
}

/** The people related to an object, in pid order after `afterPid`, at most `limit`. */
export async function relatedPids(
  db: Tx,
  workspaceId: number,
  objectOid: number,
  afterPid: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('relationships')
    .select('person_pid')
    .where('workspace_id', '=', workspaceId)
    .where('object_oid', '=', objectOid)
    .where('person_pid', '>', afterPid)
    .orderBy('person_pid')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.person_pid));
}

/** What the `delete_relationship` activities of a deleted object's remaining people say. */
export interface RemovalHistory {
  data: unknown;
  name: string;
  source: string;
  timestamp: number;
}

export interface CatchupRow {
  id: number;
  workspaceId: number;
  typeId: string;
  objectOid: number | null;
  afterPid: number;
  pids: number[] | null;
  history?: RemovalHistory | null;
}

export async function addCatchup(db: Tx, row: Omit<CatchupRow, 'id'>, now: number): Promise<void> {
  await db
    .insertInto('segment_catchup')
    .values({
      workspace_id: row.workspaceId,
      type_id: row.typeId,
      object_oid: row.objectOid,
      after_pid: row.afterPid,
      pids: row.pids === null ? null : toJson(row.pids),
      history: row.history ? toJson(row.history) : null,
      created_at: now,
    })
    .execute();
}

function toCatchup(r: {
  id: number;
  workspace_id: number;
  type_id: string;
  object_oid: number | null;
  after_pid: number;
  pids: unknown;
  history: unknown;
}): CatchupRow {
  return {
    id: Number(r.id),
    workspaceId: Number(r.workspace_id),
    typeId: r.type_id,
    objectOid: r.object_oid === null ? null : Number(r.object_oid),
    afterPid: Number(r.after_pid),
    pids: r.pids === null ? null : parseJson<number[]>(r.pids),
    history: r.history === null ? null : parseJson<RemovalHistory>(r.history),
  };
}

/**
 * The oldest catch-up rows (any workspace, deliberately: one queue for the whole database), for
 * the background worker; what it then reads and writes names the row's workspace.
 */
export async function pendingCatchups(db: Tx, limit: number): Promise<CatchupRow[]> {
  const rows = await db.selectFrom('segment_catchup').selectAll().orderBy('id').limit(limit).execute();
  return rows.map(toCatchup);
}

export async function findCatchup(db: Tx, workspaceId: number, id: number): Promise<CatchupRow | undefined> {
  const r = await db
    .selectFrom('segment_catchup')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r && toCatchup(r);
}

export async function advanceCatchup(
  db: Tx,
  workspaceId: number,
  id: number,
  afterPid: number,
  pids: number[] | null,
): Promise<void> {
  await db
    .updateTable('segment_catchup')
    .set({ after_pid: afterPid, pids: pids === null ? null : toJson(pids) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function deleteCatchup(db: Tx, workspaceId: number, id: number): Promise<void> {
  await db
    .deleteFrom('segment_catchup')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** Whether a workspace has catch-up work queued for any of these object types (`catching_up`). */
export async function catchingUp(db: Tx, workspaceId: number, typeIds: readonly string[]): Promise<boolean> {
  if (typeIds.length === 0) return false;
  const r = await db
    .selectFrom('segment_catchup')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('type_id', 'in', [...typeIds])
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}
