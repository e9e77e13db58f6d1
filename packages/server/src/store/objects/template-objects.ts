import { sql } from 'kysely';
import type { Tx } from '../store.js';
import { parseDict, type AttrMap } from '../track/people.js';

export interface TemplateObjectRow {
  typeId: string;
  typeName: string;
  objectId: string;
  cioObjectId: string;
  attributes: AttrMap;
  relationship: AttrMap;
}

/**
 * The objects a person is related to, for a template (docs/messaging.md "Templates"): at most
 * `perType` of each type (the oldest first), with the type's name and the relationship's
 * attributes. One query whatever the number of types; a person related to very many objects costs
 * one index range scan, not one row per object in memory.
 */
export async function relatedObjectsForTemplate(
  db: Tx,
  workspaceId: number,
  personPid: number,
  perType: number,
): Promise<TemplateObjectRow[]> {
  const result = await sql<{
    type_id: string;
    name: string;
    object_id: string;
    cio_object_id: string;
    attributes: unknown;
    rel_attributes: unknown;
  }>`select x.type_id, t.name, x.object_id, x.cio_object_id, x.attributes, x.rel_attributes
    from (
      select o.type_id, o.oid, o.object_id, o.cio_object_id, o.attributes, r.attributes as rel_attributes,
        row_number() over (partition by o.type_id order by o.oid) as n
      from relationships as r
      join objects as o on o.oid = r.object_oid and o.workspace_id = r.workspace_id
      where r.workspace_id = ${workspaceId} and r.person_pid = ${personPid}
    ) as x
    join object_types as t on t.workspace_id = ${workspaceId} and t.type_id = x.type_id
    where x.n <= ${perType}
    order by x.type_id, x.oid`.execute(db);
  return result.rows.map((r) => ({
    typeId: r.type_id,
    typeName: r.name,
    objectId: r.object_id,
    cioObjectId: r.cio_object_id,
    attributes: parseDict(r.attributes),
    relationship: parseDict(r.rel_attributes),
  }));
}
