import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/** Ids of `webhook_events` start here (store/webhooks/cursors.ts `EVENT_ID_BASE`). */
const EVENT_ID_BASE = 1_000_000_000_000;

/**
 * Webhook delivery as a cursor per subscription over `webhook_events` (docs/webhooks.md "How
 * deliveries are made"):
 * - `webhook_subscriptions` gets its cursor (`cursor_pos`: the last event position it has taken),
 *   the state of the request at its head (`retry_at_ms`, `retry_attempts`, `retry_error`) and a
 *   lease (`lease_by`, `lease_until_ms`) so that one sender at a time works through it.
 * - `webhook_events` rows stay until every subscription's cursor has passed them (then pruned).
 *   Their position: SQLite's `id` (one writer: ids are given in commit order). PostgreSQL: `pos`,
 *   given by the sender after commit, in commit order (ids are not: a transaction may commit after
 *   one holding a larger id), counted by the one-row `webhook_event_clock`. Existing events get
 *   positions here, in id order.
 * - Event ids move to `EVENT_ID_BASE` and up, so that an event's id (the id its deliveries show in
 *   the App API) never equals a `webhook_deliveries` id (campaign actions, replays, failed events
 *   and rows queued before this release, which keep being sent as before).
 * - `webhook_attempts.events`: the events one request carried (`[[id, event_id, kind, created_at_ms], …]`).
 * No row is removed: pending deliveries stay pending and are sent after the upgrade.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  const add = (column: string, type: 'integer' | 'text' | typeof t.bigint, notNullDefault?: number) =>
    db.schema
      .alterTable('webhook_subscriptions')
      .addColumn(column, type, (c) =>
        notNullDefault === undefined ? c : c.notNull().defaultTo(notNullDefault),
      )
      .execute();
  await add('cursor_pos', t.bigint, 0);
  await add('retry_at_ms', t.bigint, 0);
  await add('retry_attempts', 'integer', 0);
  await add('retry_error', 'text');
  await add('lease_by', 'text');
  await add('lease_until_ms', t.bigint);
  await db.schema.alterTable('webhook_attempts').addColumn('events', 'text').execute();
  await db.schema.alterTable('webhook_events').addColumn('pos', t.bigint).execute();

  await sql`update webhook_events set id = id + ${EVENT_ID_BASE} where id < ${EVENT_ID_BASE}`.execute(db);
  if (dialect === 'postgres') {
    await sql`select setval(pg_get_serial_sequence('webhook_events', 'id'),
      greatest(${EVENT_ID_BASE}, (select coalesce(max(id), 0) from webhook_events)))`.execute(db);
    await sql`create table webhook_event_clock (id integer primary key, pos bigint not null)`.execute(db);
    await sql`update webhook_events set pos = n.rn from (
        select id, workspace_id, row_number() over (order by id) as rn from webhook_events) n
      where webhook_events.id = n.id and webhook_events.workspace_id = n.workspace_id`.execute(db);
    await sql`insert into webhook_event_clock (id, pos)
      select 1, coalesce(max(pos), 0) from webhook_events`.execute(db);
    await sql`create index webhook_events_pos on webhook_events (workspace_id, pos)`.execute(db);
    await sql`create index webhook_events_unplaced on webhook_events (id) where pos is null`.execute(db);
  } else {
    await sql`delete from sqlite_sequence where name = 'webhook_events'`.execute(db);
    await sql`insert into sqlite_sequence (name, seq)
      select 'webhook_events', max(${EVENT_ID_BASE}, coalesce((select max(id) from webhook_events), 0))`.execute(
      db,
    );
    await sql`create index webhook_events_ws on webhook_events (workspace_id, id)`.execute(db);
  }
  await sql`create index webhook_attempts_delivered on webhook_attempts (subscription_id, outcome, id)`.execute(
    db,
  );
}
