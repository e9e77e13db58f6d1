import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../store.js';
import type { DialectName } from '../dialect.js';
import { budgetCheck } from '../query-budget.js';

export interface IdentifierRow {
  pid: number;
  id: string | null;
  email: string | null;
  cio_id: string;
}

/**
 * One page of people matching `predicate` (a boolean SQL expression over `people as p`), in
 * `pid` order after `afterPid` (keyset pagination: each page is an index range scan, however deep).
 */
export async function searchPeople(
  db: Tx,
  workspaceId: number,
  predicate: RawBuilder<boolean>,
  afterPid: number,
  limit: number,
): Promise<IdentifierRow[]> {
  const result = await sql<IdentifierRow>`select p.pid, p.id, p.email, p.cio_id from people as p
    where p.workspace_id = ${workspaceId} and p.pid > ${afterPid} and ${predicate}
    order by p.pid limit ${limit}`.execute(db);
  return result.rows.map((r) => ({ ...r, pid: Number(r.pid) }));
}

/**
 * `searchPeople`'s page as a statement for `Store.boundedRead` (App API search): the same rows,
 * with the time budget checked for every person considered.
 */
export function searchPeopleQuery(
  dialect: DialectName,
  workspaceId: number,
  predicate: RawBuilder<boolean>,
  afterPid: number,
  limit: number,
): RawBuilder<IdentifierRow> {
  return sql<IdentifierRow>`select p.pid, p.id, p.email, p.cio_id from people as p
    where p.workspace_id = ${workspaceId} and p.pid > ${afterPid} and ${budgetCheck(dialect)} and ${predicate}
    order by p.pid limit ${limit}`;
}
