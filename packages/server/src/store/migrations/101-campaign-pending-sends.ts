import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * `campaign_pending_sends` (docs/messaging.md "When a triggered message is rendered"): a campaign
 * decided to send to a person (an event, a segment entry, a broadcast or object-change fan-out
 * page), recorded in the transaction that decided it; the template is rendered and the message
 * queued after that transaction commits, by a background worker that claims rows under a lease.
 * A row is deleted in the transaction that writes its message, so a crash loses nothing and a
 * rolled-back write leaves nothing to send. PostgreSQL: an insert notifies `work:sends` at commit
 * (as migration 91 does for the outbox). A new table; no data moves.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  const table =
    dialect === 'sqlite'
      ? db.schema
          .createTable('campaign_pending_sends')
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable('campaign_pending_sends').addColumn('id', 'bigserial', (c) => c.primaryKey());
  await table
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('person_pid', t.bigint, (c) => c.notNull())
    .addColumn('trigger_key', 'text', (c) => c.notNull())
    // {event?, trigger?, trigger_event_id?}: what the template sees besides the person
    .addColumn('data', t.json, (c) => c.notNull())
    // when the message is due (the campaign's delay from the trigger)
    .addColumn('send_at_ms', t.bigint, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', t.bigint)
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('campaign_pending_sends_claim')
    .on('campaign_pending_sends')
    .columns(['claimed_until_ms', 'id'])
    .execute();
  if (dialect !== 'postgres') return;
  // roster_notify_work() comes from migration 91.
  await sql`drop trigger if exists roster_campaign_send_queued on campaign_pending_sends`.execute(db);
  await sql`create trigger roster_campaign_send_queued after insert on campaign_pending_sends
    for each statement execute function roster_notify_work('work:sends')`.execute(db);
}
