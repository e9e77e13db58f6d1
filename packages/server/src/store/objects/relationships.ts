import { execute, queryRows, statement } from '../sql.js';
import { toJson, type Tx } from '../store.js';
import { parseDict, type AttrMap, type TsMap } from '../track/people.js';

export interface RelationshipRow {
  personPid: number;
  objectOid: number;
  attributes: AttrMap;
  attrTs: TsMap;
  createdAt: number;
}

const FIND = statement(
  'select attributes, attr_ts, created_at from relationships where workspace_id = ? and person_pid = ? and object_oid = ?',
);
const INSERT = statement(
  `insert into relationships (workspace_id, person_pid, object_oid, attributes, attr_ts, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?)`,
);
const UPDATE = statement(
  `update relationships set attributes = ?, attr_ts = ?, updated_at = ?
   where workspace_id = ? and person_pid = ? and object_oid = ?`,
);
const DELETE = statement(
  'delete from relationships where workspace_id = ? and person_pid = ? and object_oid = ?',
);

export async function findRelationship(
  trx: Tx,
  workspaceId: number,
  personPid: number,
  objectOid: number,
): Promise<RelationshipRow | undefined> {
  const [row] = await queryRows<{ attributes: unknown; attr_ts: unknown; created_at: number }>(trx, FIND, [
    workspaceId,
    personPid,
    objectOid,
  ]);
  return (
    row && {
      personPid,
      objectOid,
      attributes: parseDict(row.attributes),
      attrTs: parseDict<number>(row.attr_ts),
      createdAt: Number(row.created_at),
    }
  );
}

export async function insertRelationship(
  trx: Tx,
  workspaceId: number,
  rel: Omit<RelationshipRow, 'createdAt'>,
  now: number,
): Promise<void> {
  await execute(trx, INSERT, [
    workspaceId,
    rel.personPid,
    rel.objectOid,
    toJson(rel.attributes),
    toJson(rel.attrTs),
    now,
    now,
  ]);
}

export async function updateRelationship(
  trx: Tx,
  workspaceId: number,
  rel: Omit<RelationshipRow, 'createdAt'>,
  now: number,
): Promise<void> {
  await execute(trx, UPDATE, [
    toJson(rel.attributes),
    toJson(rel.attrTs),
    now,
    workspaceId,
    rel.personPid,
    rel.objectOid,
  ]);
}

export async function deleteRelationship(
  trx: Tx,
  workspaceId: number,
  personPid: number,
  objectOid: number,
): Promise<boolean> {
  return (await execute(trx, DELETE, [workspaceId, personPid, objectOid])) > 0;
}

/** A person's relationships (bounded by how many objects one person is related to). */
export async function relationshipsOfPerson(
  trx: Tx,
  workspaceId: number,
  personPid: number,
): Promise<RelationshipRow[]> {
  const rows = await trx
    .selectFrom('relationships')
    .select(['object_oid', 'attributes', 'attr_ts', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', personPid)
    .orderBy('object_oid')
    .execute();
  return rows.map((r) => ({
    personPid,
    objectOid: Number(r.object_oid),
    attributes: parseDict(r.attributes),
    attrTs: parseDict<number>(r.attr_ts),
    createdAt: Number(r.created_at),
  }));
}

/** Moves one relationship to another person (merge), when that person has none with the object. */
export async function reassignRelationship(
  trx: Tx,
  workspaceId: number,
  fromPid: number,
  toPid: number,
  objectOid: number,
  now: number,
): Promise<void> {
  await trx
    .updateTable('relationships')
    .set({ person_pid: toPid, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('person_pid', '=', fromPid)
    .where('object_oid', '=', objectOid)
    .execute();
}

/** Relationships waiting for an anonymous person to be identified. */
export async function anonymousRelationships(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
): Promise<Array<{ objectOid: number; attributes: AttrMap; attrTs: TsMap }>> {
  const rows = await trx
    .selectFrom('anonymous_relationships')
    .select(['object_oid', 'attributes', 'attr_ts'])
    .where('workspace_id', '=', workspaceId)
    .where('anonymous_id', '=', anonymousId)
    .orderBy('object_oid')
    .execute();
  return rows.map((r) => ({
    objectOid: Number(r.object_oid),
    attributes: parseDict(r.attributes),
    attrTs: parseDict<number>(r.attr_ts),
  }));
}

export async function findAnonymousRelationship(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
  objectOid: number,
): Promise<{ attributes: AttrMap; attrTs: TsMap } | undefined> {
  const r = await trx
    .selectFrom('anonymous_relationships')
    .select(['attributes', 'attr_ts'])
    .where('workspace_id', '=', workspaceId)
    .where('anonymous_id', '=', anonymousId)
    .where('object_oid', '=', objectOid)
    .executeTakeFirst();
  return r && { attributes: parseDict(r.attributes), attrTs: parseDict<number>(r.attr_ts) };
}

export async function saveAnonymousRelationship(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
  objectOid: number,
  attributes: AttrMap,
  attrTs: TsMap,
  now: number,
): Promise<void> {
  await trx
    .insertInto('anonymous_relationships')
    .values({
      workspace_id: workspaceId,
      anonymous_id: anonymousId,
      object_oid: objectOid,
      attributes: toJson(attributes),
      attr_ts: toJson(attrTs),
      created_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'anonymous_id', 'object_oid'])
        .doUpdateSet({ attributes: toJson(attributes), attr_ts: toJson(attrTs) }),
    )
    .execute();
}

export async function deleteAnonymousRelationships(
  trx: Tx,
  workspaceId: number,
  anonymousId: string,
  objectOid?: number,
): Promise<void> {
  let q = trx
    .deleteFrom('anonymous_relationships')
    .where('workspace_id', '=', workspaceId)
    .where('anonymous_id', '=', anonymousId);
  if (objectOid !== undefined) q = q.where('object_oid', '=', objectOid);
  await q.execute();
}
