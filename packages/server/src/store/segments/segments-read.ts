import type { Selectable } from 'kysely';
import type { SegmentsTable } from '../schema/index.js';
import type { Tx } from '../store.js';
import type { IdentifierRow } from '../people/people-search.js';

export type SegmentRow = Selectable<SegmentsTable>;

export async function segmentsOf(db: Tx, workspaceId: number): Promise<SegmentRow[]> {
  return db
    .selectFrom('segments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
}

export async function segmentById(db: Tx, workspaceId: number, id: number): Promise<SegmentRow | undefined> {
  return db
    .selectFrom('segments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Which of `ids` are segments of the workspace. */
export async function existingSegmentIds(
  db: Tx,
  workspaceId: number,
  ids: readonly number[],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('segments')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => Number(r.id)));
}

export async function insertSegment(
  db: Tx,
  row: { workspaceId: number; name: string; description: string; now: number; conditions?: string | null },
): Promise<SegmentRow> {
  return db
    .insertInto('segments')
    .values({
      workspace_id: row.workspaceId,
      name: row.name,
      description: row.description,
      type: row.conditions ? 'dynamic' : 'manual',
      conditions: row.conditions ?? null,
      tags: null,
      created_at: row.now,
      updated_at: row.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a segment and its memberships together. */
export async function deleteSegment(db: Tx, workspaceId: number, id: number): Promise<void> {
  await db
    .deleteFrom('segment_memberships')
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', id)
    .execute();
  await db.deleteFrom('segments').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function memberCount(db: Tx, workspaceId: number, segmentId: number): Promise<number> {
  const row = await db
    .selectFrom('segment_memberships')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One page of members in `person_pid` order (keyset on the membership primary key). */
export async function membersPage(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  afterPid: number,
  limit: number,
): Promise<IdentifierRow[]> {
  const rows = await db
    .selectFrom('segment_memberships as sm')
    .innerJoin('people as p', (j) =>
      j.onRef('p.pid', '=', 'sm.person_pid').onRef('p.workspace_id', '=', 'sm.workspace_id'),
    )
    .select(['p.pid', 'p.id', 'p.email', 'p.cio_id'])
    .where('sm.workspace_id', '=', workspaceId)
    .where('sm.segment_id', '=', segmentId)
    .where('sm.person_pid', '>', afterPid)
    .orderBy('sm.person_pid')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, pid: Number(r.pid) }));
}

/** The segments a person belongs to. */
export async function segmentsOfPerson(db: Tx, workspaceId: number, pid: number): Promise<SegmentRow[]> {
  return db
    .selectFrom('segments as s')
    .innerJoin('segment_memberships as sm', (j) =>
      j.onRef('sm.segment_id', '=', 's.id').onRef('sm.workspace_id', '=', 's.workspace_id'),
    )
    .selectAll('s')
    .where('s.workspace_id', '=', workspaceId)
    .where('sm.person_pid', '=', pid)
    .orderBy('s.id')
    .execute();
}

/** Renames or redescribes a segment (conditions are written by the segment definitions service). */
export async function updateSegmentText(
  db: Tx,
  workspaceId: number,
  id: number,
  patch: { name?: string; description?: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('segments')
    .set({ ...patch, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** A workspace's dynamic segments, their conditions still JSON (the segments engine parses them). */
export async function dynamicSegmentRows(
  db: Tx,
  workspaceId: number,
): Promise<Array<{ id: number; name: string; conditions: unknown }>> {
  return db
    .selectFrom('segments')
    .select(['id', 'name', 'conditions'])
    .where('workspace_id', '=', workspaceId)
    .where('type', '=', 'dynamic')
    .orderBy('id')
    .execute();
}

/** Names and types of the workspace's segments among `ids`. */
export async function segmentNames(
  db: Tx,
  workspaceId: number,
  ids: readonly number[],
): Promise<Array<{ id: number; name: string; type: string }>> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('segments')
    .select(['id', 'name', 'type'])
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...ids])
    .execute();
}

/** Stores a segment's conditions (JSON text), making it dynamic. */
export async function setSegmentConditions(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  conditions: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('segments')
    .set({ conditions, type: 'dynamic', updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', segmentId)
    .execute();
}

/** Workspaces that have at least one dynamic segment (the `within` recheck visits these). */
export async function workspacesWithDynamicSegments(db: Tx): Promise<number[]> {
  const rows = await db
    .selectFrom('segments')
    .select('workspace_id')
    .distinct()
    .where('type', '=', 'dynamic')
    .execute();
  return rows.map((r) => Number(r.workspace_id));
}
