import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Webhooks at throughput (docs/webhooks.md "How deliveries are made"):
 * - `webhook_events`: the change itself, one compact row per change that some subscription wants,
 *   written in the change's transaction. The worker fans each out to the subscriptions that want
 *   it (as `webhook_deliveries` rows) and deletes it, so a write costs one small row however many
 *   subscriptions there are.
 * - `webhook_deliveries.blocked`: 1 while an older delivery of the same subscription and person is
 *   pending. Only unblocked rows are claimable; the partial index `webhook_deliveries_pending` (pending
 *   rows only, blocked first) lets the claim read exactly those, oldest due first, instead of
 *   rescanning every row waiting behind another, and lets `/metrics` count the backlog without
 *   reading finished rows. Finishing a delivery unblocks the next one of that person. Existing
 *   pending rows get their flag here.
 * - `webhook_subscriptions.batch`: at most this many events per request (1: one event per request,
 *   the shape so far).
 * PostgreSQL: a queued event notifies `work:webhooks` at commit, as a queued delivery does.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  const table =
    dialect === 'sqlite'
      ? db.schema
          .createTable('webhook_events')
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable('webhook_events').addColumn('id', 'bigserial', (c) => c.primaryKey());
  await table
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('event_name', 'text')
    .addColumn('segment_id', t.bigint)
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('created_at_ms', t.bigint, (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('webhook_deliveries')
    .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update webhook_deliveries set blocked = 1
    where status = 'pending' and exists (
      select 1 from webhook_deliveries e
      where e.subscription_id = webhook_deliveries.subscription_id
        and e.order_key = webhook_deliveries.order_key
        and e.status = 'pending' and e.id < webhook_deliveries.id)`.execute(db);
  await db.schema.dropIndex('webhook_deliveries_due').ifExists().execute();
  await db.schema
    .createIndex('webhook_deliveries_pending')
    .on('webhook_deliveries')
    .columns(['blocked', 'run_at_ms', 'id'])
    .where(sql<boolean>`status = 'pending'`)
    .execute();

  await db.schema
    .alterTable('webhook_subscriptions')
    .addColumn('batch', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  if (dialect !== 'postgres') return;
  await sql`drop trigger if exists roster_webhook_event_queued on webhook_events`.execute(db);
  await sql`create trigger roster_webhook_event_queued after insert on webhook_events
    for each statement execute function roster_notify_work('work:webhooks')`.execute(db);
}
