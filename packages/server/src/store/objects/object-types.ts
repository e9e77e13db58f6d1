import type { Tx } from '../store.js';

export interface ObjectType {
  id: string;
  name: string;
  singularName: string;
  createdAt: number;
}

export async function listObjectTypes(trx: Tx, workspaceId: number): Promise<ObjectType[]> {
  const rows = await trx
    .selectFrom('object_types')
    .select(['type_id', 'name', 'singular_name', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  return rows
    .map((r) => ({
      id: r.type_id,
      name: r.name,
      singularName: r.singular_name,
      createdAt: Number(r.created_at),
    }))
    .sort((a, b) => Number(a.id) - Number(b.id));
}

export async function findObjectType(
  trx: Tx,
  workspaceId: number,
  typeId: string,
): Promise<ObjectType | undefined> {
  const r = await trx
    .selectFrom('object_types')
    .select(['type_id', 'name', 'singular_name', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('type_id', '=', typeId)
    .executeTakeFirst();
  return r && { id: r.type_id, name: r.name, singularName: r.singular_name, createdAt: Number(r.created_at) };
}

export async function countObjectTypes(trx: Tx, workspaceId: number): Promise<number> {
  const r = await trx
    .selectFrom('object_types')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Adds the type unless it exists (a racing writer's insert wins; nothing fails): whether it did. */
export async function insertObjectType(
  trx: Tx,
  workspaceId: number,
  type: { id: string; name: string; singularName: string },
  now: number,
): Promise<boolean> {
  const r = await trx
    .insertInto('object_types')
    .values({
      workspace_id: workspaceId,
      type_id: type.id,
      name: type.name,
      singular_name: type.singularName,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'type_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function renameObjectType(
  trx: Tx,
  workspaceId: number,
  typeId: string,
  names: { name: string; singularName: string },
): Promise<boolean> {
  const r = await trx
    .updateTable('object_types')
    .set({ name: names.name, singular_name: names.singularName })
    .where('workspace_id', '=', workspaceId)
    .where('type_id', '=', typeId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
