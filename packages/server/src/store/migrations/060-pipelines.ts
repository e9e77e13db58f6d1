import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Data Pipelines ingest (docs/pipelines.md).
 * - `write_keys`: the write keys (Customer.io's "CDP API key") of each workspace, hashed like the
 *   other keys: `public` (`wk_…`, sent by browsers and apps) and `server` (`swk_…`, secret). The
 *   hash is the key: a request's key finds its workspace in one primary-key lookup.
 * - `pipelines_messages`: `messageId`s seen per workspace, for dedupe (every client retries whole
 *   batches). Pruned after 48 hours; the index on `received_at` makes the pruning a range delete.
 * - `pipelines_errors`: events that were dropped (invalid, refused), newest kept per workspace,
 *   so an operator sees what a permissive `200 {}` hid.
 * New tables only: nothing existing changes, so an upgrade costs nothing on either engine.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('write_keys')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    // public | server
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('write_keys_workspace')
    .on('write_keys')
    .columns(['workspace_id', 'kind'])
    .execute();

  await db.schema
    .createTable('pipelines_messages')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('received_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('pipelines_messages_pk', ['workspace_id', 'message_id'])
    .execute();
  await db.schema
    .createIndex('pipelines_messages_received')
    .on('pipelines_messages')
    .columns(['received_at'])
    .execute();

  await db.schema
    .createTable('pipelines_errors')
    // ULID: newest first is `id desc`.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('received_at', t.bigint, (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('message_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    // The event as sent, cut to a bounded size.
    .addColumn('event', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pipelines_errors_workspace')
    .on('pipelines_errors')
    .columns(['workspace_id', 'id'])
    .execute();
}
