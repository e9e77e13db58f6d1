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
  narrowIndex?: string,
): RawBuilder<IdentifierRow> {
  // A narrow range (`narrowIndex`): read the attribute's index and sort the few matches, instead
  // of walking people in pid order (which reads most of the workspace before it finds a page).
  // SQLite has no statistics to see this: `INDEXED BY` says it. PostgreSQL would take the primary
  // key for its order: `pid + 0` is not in any index, so the planner picks the attribute's.
  const order = narrowIndex && dialect === 'postgres' ? sql`p.pid + 0` : sql`p.pid`;
  return sql<IdentifierRow>`select p.pid, p.id, p.email, p.cio_id from people as p${indexHint(dialect, narrowIndex)}
    where p.workspace_id = ${workspaceId} and p.pid > ${afterPid} and ${budgetCheck(dialect)} and ${predicate}
    order by ${order} limit ${limit}`;
}

/** SQLite's `INDEXED BY` (`searchPeopleQuery`); nothing on PostgreSQL. */
function indexHint(dialect: DialectName, indexedBy: string | undefined): RawBuilder<unknown> {
  if (dialect !== 'sqlite' || !indexedBy) return sql``;
  if (!/^[a-z0-9_]+$/.test(indexedBy)) throw new Error(`not an index name: ${indexedBy}`);
  return sql.raw(` indexed by ${indexedBy}`);
}

/** How many people `predicate` matches, counting at most `cap` (read through `index` on SQLite). */
export function countUpToQuery(
  dialect: DialectName,
  workspaceId: number,
  predicate: RawBuilder<boolean>,
  cap: number,
  index?: string,
): RawBuilder<{ n: number | string }> {
  return sql<{
    n: number | string;
  }>`select count(*) as n from (select 1 from people as p${indexHint(dialect, index)}
    where p.workspace_id = ${workspaceId} and ${budgetCheck(dialect)} and ${predicate} limit ${cap}) as x`;
}
