import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../store.js';
import { parseDict, type AttrMap } from '../track/people.js';

/**
 * One page of an object's related people that `predicate` (over `people as p`) matches, in pid
 * order after `afterPid`, with their relationship's attributes: the audience of a campaign an
 * object's change triggered, read from the object's relationships (its index), not from every
 * person of the workspace.
 */
export async function relatedPeopleMatching(
  db: Tx,
  workspaceId: number,
  objectOid: number,
  predicate: RawBuilder<boolean>,
  afterPid: number,
  limit: number,
): Promise<Array<{ pid: number; relationship: AttrMap }>> {
  const result = await sql<{ pid: number; attributes: unknown }>`select p.pid, r.attributes
    from relationships as r
    join people as p on p.pid = r.person_pid and p.workspace_id = r.workspace_id
    where r.workspace_id = ${workspaceId} and r.object_oid = ${objectOid} and r.person_pid > ${afterPid} and p.workspace_id = ${workspaceId}
      and ${predicate}
    order by r.person_pid limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ pid: Number(r.pid), relationship: parseDict(r.attributes) }));
}
