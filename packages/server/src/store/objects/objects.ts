import type { Selectable } from 'kysely';
import type { ObjectsTable } from '../schema/index.js';
import { newCioId, reseedCioIds } from '../../lib/cio-id.js';
import { execute, InsertStatement, insertReturningId, isSoleWriter, queryRows, statement } from '../sql.js';
import { toJson, type Tx } from '../store.js';
import { parseDict, type AttrMap, type TsMap } from '../track/people.js';

/** An object as services see it. */
export interface ObjectRow {
  oid: number;
  workspaceId: number;
  typeId: string;
  objectId: string;
  cioObjectId: string;
  attributes: AttrMap;
  attrTs: TsMap;
  createdAt: number;
  updatedAt: number;
}

export interface ObjectKey {
  typeId: string;
  objectId: string;
}

const COLUMNS =
  'oid, workspace_id, type_id, object_id, cio_object_id, attributes, attr_ts, created_at, updated_at';

export function toObject(row: Selectable<ObjectsTable>): ObjectRow {
  return {
    oid: Number(row.oid),
    workspaceId: Number(row.workspace_id),
    typeId: row.type_id,
    objectId: row.object_id,
    cioObjectId: row.cio_object_id,
    attributes: parseDict(row.attributes),
    attrTs: parseDict<number>(row.attr_ts),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const FIND_BY_KEY = statement(
  `select ${COLUMNS} from objects where workspace_id = ? and type_id = ? and object_id = ?`,
);
const FIND_BY_CIO = statement(`select ${COLUMNS} from objects where workspace_id = ? and cio_object_id = ?`);

export async function findObject(
  trx: Tx,
  workspaceId: number,
  key: ObjectKey,
): Promise<ObjectRow | undefined> {
  const [row] = await queryRows<Selectable<ObjectsTable>>(trx, FIND_BY_KEY, [
    workspaceId,
    key.typeId,
    key.objectId,
  ]);
  return row && toObject(row);
}

export async function findObjectByCio(
  trx: Tx,
  workspaceId: number,
  cioObjectId: string,
): Promise<ObjectRow | undefined> {
  const [row] = await queryRows<Selectable<ObjectsTable>>(trx, FIND_BY_CIO, [workspaceId, cioObjectId]);
  return row && toObject(row);
}

const INSERT = new InsertStatement(
  `insert into objects (workspace_id, type_id, object_id, cio_object_id, attributes, attr_ts, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?, ?)
   on conflict do nothing`,
  'oid',
);
const CIO_ID_ATTEMPTS = 5;

/**
 * Inserts a new object under a new `cio_object_id` ("ob" and 16 hex characters, from the same
 * generator as people's cio_ids). The caller holds the object's lock, so a conflict can only be on
 * the generated id: the insert then runs again with a fresh one.
 */
export async function insertObject(
  trx: Tx,
  workspaceId: number,
  key: ObjectKey,
  attributes: AttrMap,
  attrTs: TsMap,
  now: number,
): Promise<ObjectRow> {
  for (let attempt = 1; ; attempt++) {
    const cioObjectId = `ob${newCioId(now)}`;
    const oid = await insertReturningId(trx, INSERT, [
      workspaceId,
      key.typeId,
      key.objectId,
      cioObjectId,
      toJson(attributes),
      toJson(attrTs),
      now,
      now,
    ]);
    if (oid !== undefined)
      return { oid, workspaceId, ...key, cioObjectId, attributes, attrTs, createdAt: now, updatedAt: now };
    const raced = await findObject(trx, workspaceId, key);
    if (raced) return raced;
    reseedCioIds();
    if (attempt >= CIO_ID_ATTEMPTS) throw new Error(`no free cio_object_id after ${attempt} attempts`);
  }
}

const UPDATE = statement(
  'update objects set attributes = ?, attr_ts = ?, updated_at = ? where workspace_id = ? and oid = ?',
);

export async function updateObject(
  trx: Tx,
  workspaceId: number,
  oid: number,
  attributes: AttrMap,
  attrTs: TsMap,
  now: number,
) {
  await execute(trx, UPDATE, [toJson(attributes), toJson(attrTs), now, workspaceId, oid]);
}

/** Removes the object and its relationships; its history stays. */
export async function deleteObjectRows(trx: Tx, workspaceId: number, oid: number): Promise<void> {
  await trx
    .deleteFrom('relationships')
    .where('workspace_id', '=', workspaceId)
    .where('object_oid', '=', oid)
    .execute();
  await trx.deleteFrom('objects').where('workspace_id', '=', workspaceId).where('oid', '=', oid).execute();
}

/** How many objects of a type a workspace has (the types page). */
export async function countObjects(trx: Tx, workspaceId: number, typeId: string): Promise<number> {
  const row = await trx
    .selectFrom('objects')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('type_id', '=', typeId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

const LOCK = statement('select pg_advisory_xact_lock(hashtextextended(?, 0))');

/**
 * Takes an advisory lock on `key` inside a running transaction (PostgreSQL; SQLite's writer is
 * already alone). For an object named by `cio_object_id`, whose (type, id) lock key is only
 * known once it is read.
 */
export async function lockInTransaction(trx: Tx, key: string): Promise<void> {
  if (isSoleWriter(trx)) return;
  await queryRows(trx, LOCK, [key]);
}

const FIND_BY_OID = statement(`select ${COLUMNS} from objects where workspace_id = ? and oid = ?`);

export async function findObjectByOid(
  trx: Tx,
  workspaceId: number,
  oid: number,
): Promise<ObjectRow | undefined> {
  const [row] = await queryRows<Selectable<ObjectsTable>>(trx, FIND_BY_OID, [workspaceId, oid]);
  return row && toObject(row);
}
