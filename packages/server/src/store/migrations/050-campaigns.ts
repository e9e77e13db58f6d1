import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Campaigns (docs/messaging.md "Campaigns"):
 * - `transactional_messages`: push templates `POST /v1/send/push` names by id or (case-insensitive) name.
 * - `campaigns`: triggered (by an event or by entering a segment) and API-triggered broadcasts.
 * - `campaign_sends`: one row per (campaign, trigger key) — the dedupe that makes a campaign send
 *   once per trigger (an event id, a segment entry, a broadcast trigger + person).
 * - `broadcast_triggers`: one row per `POST /v1/campaigns/:id/triggers`, with the fan-out's progress
 *   (a keyset cursor) and a lease, so a restart resumes where the last committed page ended.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  const serial = (name: string) =>
    dialect === 'sqlite'
      ? db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : db.schema.createTable(name).addColumn('id', 'bigserial', (c) => c.primaryKey());

  await serial('transactional_messages')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_norm', 'text', (c) => c.notNull())
    .addColumn('template', t.json, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('transactional_messages_name')
    .unique()
    .on('transactional_messages')
    .columns(['workspace_id', 'name_norm'])
    .execute();

  await serial('campaigns')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // triggered | broadcast
    .addColumn('type', 'text', (c) => c.notNull())
    // {event: name} | {segment_entered: id} | null (broadcasts)
    .addColumn('trigger', t.json)
    .addColumn('trigger_event', 'text')
    .addColumn('trigger_segment_id', t.bigint)
    .addColumn('filter', t.json)
    .addColumn('template', t.json)
    .addColumn('transactional_message_id', t.bigint)
    .addColumn('delay_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('campaigns_trigger_event')
    .on('campaigns')
    .columns(['workspace_id', 'trigger_event'])
    .execute();
  await db.schema
    .createIndex('campaigns_trigger_segment')
    .on('campaigns')
    .columns(['workspace_id', 'trigger_segment_id'])
    .execute();

  await db.schema
    .createTable('campaign_sends')
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('trigger_key', 'text', (c) => c.notNull())
    .addColumn('person_pid', t.bigint, (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_sends_pk', ['campaign_id', 'trigger_key'])
    .execute();

  await serial('broadcast_triggers')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('campaign_id', t.bigint, (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('data', t.json, (c) => c.notNull())
    // {filter: <filter>} | {people: [{pid, data?}]}
    .addColumn('audience', t.json, (c) => c.notNull())
    // pending | done | failed
    .addColumn('status', 'text', (c) => c.notNull())
    // filter audiences: the last pid done; list audiences: how many entries are done
    .addColumn('cursor', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('queued', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', t.bigint)
    .addColumn('error', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .addColumn('finished_at', t.bigint)
    .execute();
  await db.schema
    .createIndex('broadcast_triggers_status')
    .on('broadcast_triggers')
    .columns(['status', 'id'])
    .execute();
  await db.schema.createIndex('messages_campaign').on('messages').columns(['campaign_id']).execute();
  await db.schema.createIndex('messages_broadcast').on('messages').columns(['broadcast_id']).execute();
}
