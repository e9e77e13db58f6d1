import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: indexed attributes' expression indexes are rebuilt as `((expression), pid) WHERE
 * workspace_id = W` instead of `(workspace_id, (expression), pid) WHERE …`. PostgreSQL leaves out
 * of an index scan's conditions the ones the partial index's predicate implies, so with
 * `workspace_id` first the expression bounded nothing and each lookup read the whole index
 * (docs/scaling.md "Which indexes carry which queries").
 *
 * The old indexes are dropped here (milliseconds) and their registry rows go back to `building`:
 * once started, the server builds them again without stopping writes (CREATE INDEX CONCURRENTLY,
 * one at a time, about 5 s per million people each). Until each is ready, searches on that
 * attribute answer the same, unindexed. SQLite: nothing (its planner uses the leading column).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  const old = await sql<{ name: string }>`select c.relname as name from pg_index i
    join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    where t.relname = 'people' and c.relname like 'people\_ax\_%'`.execute(db);
  for (const r of old.rows) await sql.raw(`drop index if exists ${r.name}`).execute(db);
  await sql`update attribute_indexes set status = 'building' where status = 'ready'`.execute(db);
}
