import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: every change to a workspace row (keys rotated, settings, name; by a server, the CLI,
 * or plain SQL) notifies channel `roster_changes` with `workspace:<id>`, at commit. Servers keep
 * workspaces and key hashes in memory and drop an entry when its notification arrives
 * (store/postgres/change-feed.ts, services/workspace-cache.ts). Adds a trigger; changes no data.
 * SQLite has one server process and reads the row on every request: nothing to do there.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`create or replace function roster_notify_workspace() returns trigger language plpgsql as $$
    begin
      perform pg_notify('roster_changes', 'workspace:' || (case tg_op when 'DELETE' then old.id else new.id end));
      return null;
    end $$`.execute(db);
  await sql`drop trigger if exists roster_workspace_changed on workspaces`.execute(db);
  await sql`create trigger roster_workspace_changed after insert or update or delete on workspaces
    for each row execute function roster_notify_workspace()`.execute(db);
}
