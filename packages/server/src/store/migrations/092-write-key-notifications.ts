import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: every change to a Pipelines write key (set, rotated, removed; by a server, the CLI or
 * plain SQL) notifies channel `roster_changes` with `workspace:<id>` of the key's workspace, at
 * commit, as migration 090 does for workspace rows. Servers keep write-key lookups in memory
 * (services/workspace-cache.ts) and drop that workspace's entries when they hear it. Reuses 090's
 * trigger function shape; adds a trigger, changes no data. SQLite: one process, nothing to do.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`create or replace function roster_notify_write_key() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then
        perform pg_notify('roster_changes', 'workspace:' || old.workspace_id);
      end if;
      if tg_op <> 'DELETE' then
        perform pg_notify('roster_changes', 'workspace:' || new.workspace_id);
      end if;
      return null;
    end $$`.execute(db);
  await sql`drop trigger if exists roster_write_key_changed on write_keys`.execute(db);
  await sql`create trigger roster_write_key_changed after insert or update or delete on write_keys
    for each row execute function roster_notify_write_key()`.execute(db);
}
