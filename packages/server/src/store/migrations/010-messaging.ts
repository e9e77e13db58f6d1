import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Messaging (docs/messaging.md):
 * - `push_providers`: APNs / FCM credentials per workspace, optionally per app (`app_identifier`,
 *   '' = the workspace default). Secrets live here rather than in `workspaces.settings` so that
 *   settings can be shown without redaction.
 * - `messages`: one row per delivery (one device), the record behind `GET /v1/messages`.
 * - `outbox`: durable queue of sends. A row is claimed by one worker under a lease and finished in
 *   the same transaction that records the provider's answer.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  const serial = (name: string) =>
    dialect === 'sqlite'
      ? db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable(name).addColumn('id', 'bigserial', (c) => c.primaryKey());

  await serial('push_providers')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('app_identifier', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('config', t.json, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('push_providers_ws_kind_app')
    .unique()
    .on('push_providers')
    .columns(['workspace_id', 'kind', 'app_identifier'])
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('delivery_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    // Not a foreign key: a deleted person's deliveries stay readable, like activities.
    .addColumn('person_pid', t.bigint)
    .addColumn('customer_identifiers', t.json)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text')
    .addColumn('delivery_type', 'text')
    .addColumn('transactional_message_id', 'text')
    .addColumn('campaign_id', t.bigint)
    .addColumn('action_id', t.bigint)
    .addColumn('broadcast_id', t.bigint)
    .addColumn('trigger_event_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('title', 'text')
    .addColumn('body', 'text')
    .addColumn('metrics', t.json, (c) => c.notNull())
    .addColumn('failure_message', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_ws').on('messages').columns(['workspace_id', 'created_at']).execute();
  await db.schema
    .createIndex('messages_person')
    .on('messages')
    .columns(['person_pid', 'created_at'])
    .execute();

  await serial('outbox')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('run_at_ms', t.bigint, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', t.bigint)
    // pending | sent | failed | skipped
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  // The claim query scans pending rows by due time.
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'run_at_ms']).execute();
  await db.schema.createIndex('outbox_delivery').on('outbox').columns(['delivery_id']).execute();
}
