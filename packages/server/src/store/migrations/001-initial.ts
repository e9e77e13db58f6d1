import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * The core schema: workspaces, people and their identifiers, suppressions, devices, events,
 * activities, segments and memberships, delivery metrics and scheduler leases. Later features
 * (messaging, imports) add tables in later migrations; none of these should need a rewrite.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  type Build = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  const serialPk = (name: string): [string, 'integer' | 'bigserial', Build] =>
    dialect === 'sqlite'
      ? [name, 'integer', (c) => c.primaryKey().autoIncrement()]
      : [name, 'bigserial', (c) => c.primaryKey()];

  const ws = serialPk('id');
  await db.schema
    .createTable('workspaces')
    .addColumn(ws[0], ws[1], ws[2])
    .addColumn('site_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('track_key_hash', 'text', (c) => c.notNull())
    .addColumn('app_key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('identifier_mode', 'text', (c) => c.notNull().defaultTo('email_or_id'))
    .addColumn('settings', t.json, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();

  const pid = serialPk('pid');
  await db.schema
    .createTable('people')
    .addColumn(pid[0], pid[1], pid[2])
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('cio_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text')
    .addColumn('email', 'text')
    .addColumn('email_norm', 'text')
    .addColumn('attributes', t.json, (c) => c.notNull())
    .addColumn('attr_ts', t.json, (c) => c.notNull())
    .addColumn('unsubscribed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  // Identifiers are unique per workspace; NULLs (a person without an id or email) do not collide.
  await db.schema
    .createIndex('people_ws_cio')
    .unique()
    .on('people')
    .columns(['workspace_id', 'cio_id'])
    .execute();
  await db.schema.createIndex('people_ws_id').unique().on('people').columns(['workspace_id', 'id']).execute();
  await db.schema
    .createIndex('people_ws_email')
    .unique()
    .on('people')
    .columns(['workspace_id', 'email_norm'])
    .execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('suppressions_pk', ['workspace_id', 'kind', 'value'])
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('person_pid', t.bigint, (c) => c.notNull().references('people.pid').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('last_used', t.bigint, (c) => c.notNull())
    .addColumn('attributes', t.json, (c) => c.notNull())
    .addColumn('last_status', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('bounce_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    // A token belongs to exactly one person in a workspace.
    .addPrimaryKeyConstraint('devices_pk', ['workspace_id', 'token'])
    .execute();
  await db.schema.createIndex('devices_person').on('devices').columns(['person_pid']).execute();

  const seq = serialPk('seq');
  await db.schema
    .createTable('events')
    .addColumn(seq[0], seq[1], seq[2])
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('person_pid', t.bigint, (c) => c.references('people.pid').onDelete('cascade'))
    .addColumn('anonymous_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('timestamp', t.bigint, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('events_ws_eid')
    .unique()
    .on('events')
    .columns(['workspace_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('events_person')
    .on('events')
    .columns(['person_pid', 'name', 'timestamp'])
    .execute();
  await db.schema.createIndex('events_anon').on('events').columns(['workspace_id', 'anonymous_id']).execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    // Not a foreign key: a deleted person's history stays readable (`deleted=true`).
    .addColumn('person_pid', t.bigint)
    .addColumn('customer_identifiers', t.json)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('data', t.json)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('delivery_type', 'text')
    .addColumn('timestamp', t.bigint, (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('activities_person').on('activities').columns(['person_pid', 'id']).execute();
  await db.schema.createIndex('activities_ws').on('activities').columns(['workspace_id', 'id']).execute();
  await db.schema
    .createIndex('activities_ws_type')
    .on('activities')
    .columns(['workspace_id', 'type', 'id'])
    .execute();

  const sid = serialPk('id');
  await db.schema
    .createTable('segments')
    .addColumn(sid[0], sid[1], sid[2])
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('conditions', t.json)
    .addColumn('tags', t.json)
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('segments_ws').on('segments').columns(['workspace_id']).execute();

  await db.schema
    .createTable('segment_memberships')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull())
    .addColumn('segment_id', t.bigint, (c) => c.notNull().references('segments.id').onDelete('cascade'))
    .addColumn('person_pid', t.bigint, (c) => c.notNull().references('people.pid').onDelete('cascade'))
    .addColumn('entered_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('segment_memberships_pk', ['segment_id', 'person_pid'])
    .execute();
  await db.schema
    .createIndex('segment_memberships_person')
    .on('segment_memberships')
    .columns(['person_pid'])
    .execute();

  const mseq = serialPk('seq');
  await db.schema
    .createTable('delivery_metrics')
    .addColumn(mseq[0], mseq[1], mseq[2])
    .addColumn('workspace_id', t.bigint)
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('device_token', 'text')
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('timestamp', t.bigint, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('delivery_metrics_delivery')
    .on('delivery_metrics')
    .columns(['delivery_id'])
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at_ms', t.bigint, (c) => c.notNull())
    .execute();
}
