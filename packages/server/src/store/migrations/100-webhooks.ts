import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Outgoing webhooks (docs/webhooks.md):
 * - `webhook_subscriptions`: per workspace, a URL, the event kinds it wants (with optional event
 *   name and segment filters), its signing secret (and the previous one while a rotation overlaps),
 *   on/off, and why the worker paused it.
 * - `webhook_deliveries`: the durable outbox. One row per event per subscription, written in the
 *   transaction of the change that caused it; claimed under a lease like the push outbox, in order
 *   per (subscription, person): a row waits while an older row of the same `order_key` is pending.
 * - `webhook_attempts`: every HTTP attempt with its status, latency and a bounded response excerpt.
 * PostgreSQL: a delivery queued notifies `work:webhooks` at commit (as migration 91 does for push),
 * and a change to what subscriptions select notifies `webhooks`, so every server drops its cache.
 * New tables only; no data moves.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  const serial = (name: string) =>
    dialect === 'sqlite'
      ? db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable(name).addColumn('id', 'bigserial', (c) => c.primaryKey());

  await serial('webhook_subscriptions')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('events', t.json, (c) => c.notNull())
    .addColumn('event_names', t.json)
    .addColumn('segment_ids', t.json)
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_until_ms', t.bigint)
    .addColumn('paused_reason', 'text')
    .addColumn('paused_at', t.bigint)
    .addColumn('failure_run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_ws')
    .on('webhook_subscriptions')
    .columns(['workspace_id', 'id'])
    .execute();

  await serial('webhook_deliveries')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('subscription_id', t.bigint, (c) =>
      c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('order_key', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    // pending | delivered | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_at_ms', t.bigint, (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', t.bigint)
    .addColumn('last_error', 'text')
    .addColumn('created_at_ms', t.bigint, (c) => c.notNull())
    .addColumn('finished_at_ms', t.bigint)
    .execute();
  // The claim scans pending rows by due time; the order check looks for an older pending row of
  // the same subscription and person; the App API lists a subscription's rows newest first.
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'run_at_ms'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_order')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'order_key', 'status', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_sub')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'id'])
    .execute();

  await serial('webhook_attempts')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('subscription_id', t.bigint, (c) =>
      c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('delivery_id', t.bigint, (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('attempted_at_ms', t.bigint, (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    // delivered | retry | failed
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('response_excerpt', 'text')
    .execute();
  await db.schema
    .createIndex('webhook_attempts_sub')
    .on('webhook_attempts')
    .columns(['subscription_id', 'id'])
    .execute();

  if (dialect !== 'postgres') return;
  // roster_notify_work() comes from migration 91.
  await sql`drop trigger if exists roster_webhook_queued on webhook_deliveries`.execute(db);
  await sql`create trigger roster_webhook_queued after insert on webhook_deliveries
    for each statement execute function roster_notify_work('work:webhooks')`.execute(db);
  await sql`drop trigger if exists roster_webhook_subscriptions_changed on webhook_subscriptions`.execute(db);
  await sql`create trigger roster_webhook_subscriptions_changed
    after insert or delete or update of events, event_names, segment_ids, enabled on webhook_subscriptions
    for each statement execute function roster_notify_work('webhooks')`.execute(db);
}
