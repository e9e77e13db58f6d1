import { parseJson, type Store } from '../../packages/server/src/store/store.js';

/** An object as stored, by type and id. */
export async function objectBy(store: Store, typeId: string, objectId: string) {
  const row = await store.db
    .selectFrom('objects')
    .selectAll()
    .where('type_id', '=', typeId)
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    oid: Number(row.oid),
    workspaceId: Number(row.workspace_id),
    cioObjectId: row.cio_object_id,
    attributes: parseJson<Record<string, unknown>>(row.attributes),
    attrTs: parseJson<Record<string, number>>(row.attr_ts),
  };
}

/** A person's relationships: object id → relationship attributes. */
export async function relationshipsOf(store: Store, pid: number): Promise<Record<string, unknown>> {
  const rows = await store.db
    .selectFrom('relationships')
    .innerJoin('objects', 'objects.oid', 'relationships.object_oid')
    .select(['objects.type_id', 'objects.object_id', 'relationships.attributes'])
    .where('relationships.person_pid', '=', pid)
    .execute();
  const out: Record<string, unknown> = {};
  for (const r of rows) out[`${r.type_id}:${r.object_id}`] = parseJson(r.attributes);
  return out;
}

export async function objectActivities(store: Store, oid: number) {
  const rows = await store.db
    .selectFrom('object_activities')
    .selectAll()
    .where('object_oid', '=', oid)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ type: r.type, data: parseJson<Record<string, unknown> | null>(r.data) }));
}
