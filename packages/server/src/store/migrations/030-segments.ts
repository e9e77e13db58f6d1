import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Dynamic segments (docs/segments.md).
 * - `segment_catalog`: one version number per workspace, bumped whenever a dynamic segment is
 *   created, edited or deleted. Every write reads it (one primary-key lookup) to know whether its
 *   cached, parsed segment definitions are still current — also across server processes.
 * - `segment_size_log`: membership changes per segment (+n / -n at a time), written with each
 *   change; `GET /v1/segments/:id/history` sums it into sizes over time without counting members.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('segment_catalog')
    .addColumn('workspace_id', t.bigint, (c) =>
      c.primaryKey().references('workspaces.id').onDelete('cascade'),
    )
    .addColumn('version', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('segment_size_log')
    .addColumn('segment_id', t.bigint, (c) => c.notNull().references('segments.id').onDelete('cascade'))
    .addColumn('timestamp', t.bigint, (c) => c.notNull())
    .addColumn('delta', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('segment_size_log_segment')
    .on('segment_size_log')
    .columns(['segment_id', 'timestamp'])
    .execute();
}
