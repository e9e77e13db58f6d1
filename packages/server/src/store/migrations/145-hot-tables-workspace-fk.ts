import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The tables every Track write inserts into, row by row (docs/scaling.md "Workspace foreign keys"). */
export const HOT_TABLES = ['people', 'activities', 'events'] as const;

/**
 * PostgreSQL: `people`, `activities` and `events` no longer hold a foreign key to `workspaces`;
 * deleting a workspace row deletes their rows instead, by a trigger on `workspaces`.
 *
 * Why: the foreign key's check runs once per inserted row (`select … from workspaces … for key
 * share`), and every concurrent write of a workspace locks the same workspace row, so PostgreSQL
 * builds a multixact of all of them. On a v2 batch of 100 new people it was 1.4 of the 3.7 ms the
 * two INSERTs took (EXPLAIN ANALYZE: 0.9 ms for people, 0.5 ms for history), more under
 * concurrency. The check could only ever fail for a workspace deleted while a write ran, and Roster
 * never deletes workspaces; what the key also did, cascade a hand-made `delete from workspaces`,
 * the trigger keeps. The other workspace tables are written a row at a time or seldom and keep
 * theirs. SQLite: nothing (its check is an in-process index probe, and dropping a foreign key there
 * means rebuilding the table).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of HOT_TABLES)
    await sql.raw(`alter table ${table} drop constraint if exists ${table}_workspace_id_fkey`).execute(db);
  await sql
    .raw(
      `create or replace function roster_workspace_deleted() returns trigger language plpgsql as $$
       begin
         delete from events where workspace_id = old.id;
         delete from activities where workspace_id = old.id;
         delete from people where workspace_id = old.id;
         return old;
       end $$`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger workspaces_deleted after delete on workspaces
       for each row execute function roster_workspace_deleted()`,
    )
    .execute(db);
}
