import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { ObjectsTable } from '../schema/index.js';
import type { RelationshipFacts } from '../../filter/evaluate.js';
import { parseJson, type Tx } from '../store.js';
import { toObject, type ObjectRow } from './objects.js';

/**
 * One page of a type's objects matching `predicate` (over `objects as o`), in `oid` order after
 * `afterOid` (keyset pagination, as people search pages).
 */
export async function searchObjects(
  db: Tx,
  workspaceId: number,
  typeId: string,
  predicate: RawBuilder<boolean>,
  afterOid: number,
  limit: number,
): Promise<ObjectRow[]> {
  const result = await sql<Selectable<ObjectsTable>>`select o.oid, o.workspace_id, o.type_id, o.object_id,
      o.cio_object_id, o.attributes, o.attr_ts, o.created_at, o.updated_at
    from objects as o
    where o.workspace_id = ${workspaceId} and o.type_id = ${typeId} and o.oid > ${afterOid} and ${predicate}
    order by o.oid limit ${limit}`.execute(db);
  return result.rows.map(toObject);
}

/** Objects of each type of a workspace, counted. */
export async function countObjectsByType(db: Tx, workspaceId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('objects')
    .select(['type_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('type_id')
    .execute();
  return new Map(rows.map((r) => [r.type_id, Number(r.n)]));
}

export interface RelatedPersonRow {
  pid: number;
  id: string | null;
  email: string | null;
  cio_id: string;
  relationship_attributes: Record<string, unknown>;
  created_at: number;
}

/** An object's people with their relationship attributes, in pid order after `afterPid`. */
export async function relatedPeoplePage(
  db: Tx,
  workspaceId: number,
  objectOid: number,
  afterPid: number,
  limit: number,
): Promise<RelatedPersonRow[]> {
  const rows = await db
    .selectFrom('relationships as r')
    .innerJoin('people as p', (j) =>
      j.onRef('p.pid', '=', 'r.person_pid').onRef('p.workspace_id', '=', 'r.workspace_id'),
    )
    .select(['p.pid', 'p.id', 'p.email', 'p.cio_id', 'r.attributes', 'r.created_at'])
    .where('r.workspace_id', '=', workspaceId)
    .where('r.object_oid', '=', objectOid)
    .where('r.person_pid', '>', afterPid)
    .orderBy('r.person_pid')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    pid: Number(r.pid),
    id: r.id,
    email: r.email,
    cio_id: r.cio_id,
    relationship_attributes: parseJson<Record<string, unknown>>(r.attributes) ?? {},
    created_at: Number(r.created_at),
  }));
}

export interface RelatedObjectRow {
  object: ObjectRow;
  relationship_attributes: Record<string, unknown>;
}

/** A person's objects with the relationship attributes, in oid order after `afterOid`. */
export async function relatedObjectsPage(
  db: Tx,
  workspaceId: number,
  personPid: number,
  afterOid: number,
  limit: number,
): Promise<RelatedObjectRow[]> {
  const result = await sql<
    Selectable<ObjectsTable> & { rel_attributes: unknown }
  >`select o.oid, o.workspace_id,
      o.type_id, o.object_id, o.cio_object_id, o.attributes, o.attr_ts, o.created_at, o.updated_at,
      r.attributes as rel_attributes
    from relationships as r join objects as o on o.oid = r.object_oid and o.workspace_id = r.workspace_id
    where r.workspace_id = ${workspaceId} and r.person_pid = ${personPid} and r.object_oid > ${afterOid}
    order by r.object_oid limit ${limit}`.execute(db);
  return result.rows.map((r) => ({
    object: toObject(r),
    relationship_attributes: parseJson<Record<string, unknown>>(r.rel_attributes) ?? {},
  }));
}

export interface ObjectActivityRow {
  id: string;
  type: string;
  name: string | null;
  data: unknown;
  source: string;
  timestamp: number;
}

/** An object's history, newest first, before the activity id `before`. */
export async function objectActivitiesPage(
  db: Tx,
  workspaceId: number,
  objectOid: number,
  before: string | undefined,
  limit: number,
): Promise<ObjectActivityRow[]> {
  let q = db
    .selectFrom('object_activities')
    .select(['id', 'type', 'name', 'data', 'source', 'timestamp'])
    .where('workspace_id', '=', workspaceId)
    .where('object_oid', '=', objectOid);
  if (before !== undefined) q = q.where('id', '<', before);
  const rows = await q.orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, data: parseJson(r.data), timestamp: Number(r.timestamp) }));
}

/** A person's relationships to objects of these types, for the segment evaluators (docs/objects.md). */
export async function relationshipFacts(
  db: Tx,
  workspaceId: number,
  personPid: number,
  typeIds: ReadonlySet<string>,
): Promise<RelationshipFacts[]> {
  if (typeIds.size === 0) return [];
  const rows = await db
    .selectFrom('relationships as r')
    .innerJoin('objects as o', (j) =>
      j.onRef('o.oid', '=', 'r.object_oid').onRef('o.workspace_id', '=', 'r.workspace_id'),
    )
    .select(['o.type_id', 'o.object_id', 'o.cio_object_id', 'o.attributes as object', 'r.attributes'])
    .where('r.workspace_id', '=', workspaceId)
    .where('r.person_pid', '=', personPid)
    .where('o.type_id', 'in', [...typeIds])
    .orderBy('r.object_oid')
    .execute();
  return rows.map((r) => ({
    typeId: r.type_id,
    objectId: r.object_id,
    cioObjectId: r.cio_object_id,
    object: parseJson<Record<string, unknown>>(r.object) ?? {},
    attributes: parseJson<Record<string, unknown>>(r.attributes) ?? {},
  }));
}
