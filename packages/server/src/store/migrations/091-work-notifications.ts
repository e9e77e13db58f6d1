import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: queueing background work notifies channel `roster_changes` at commit — a push queued
 * in the outbox with `work:delivery`, a broadcast trigger with `work:broadcast` — so every server's
 * delivery worker and broadcast runner wake at once instead of polling the tables several times a
 * second (an idle server now looks every 10 s as a fallback). Statement-level triggers: one
 * notification per INSERT, however many rows, and PostgreSQL folds repeats within a transaction.
 * Adds triggers; changes no data. SQLite: one process, which wakes its own workers.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`create or replace function roster_notify_work() returns trigger language plpgsql as $$
    begin
      perform pg_notify('roster_changes', tg_argv[0]);
      return null;
    end $$`.execute(db);
  await sql`drop trigger if exists roster_outbox_queued on outbox`.execute(db);
  await sql`create trigger roster_outbox_queued after insert on outbox
    for each statement execute function roster_notify_work('work:delivery')`.execute(db);
  await sql`drop trigger if exists roster_broadcast_queued on broadcast_triggers`.execute(db);
  await sql`create trigger roster_broadcast_queued after insert on broadcast_triggers
    for each statement execute function roster_notify_work('work:broadcast')`.execute(db);
}
