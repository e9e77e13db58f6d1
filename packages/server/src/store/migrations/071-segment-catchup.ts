import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Segment memberships still to bring up to date after an object changed (docs/objects.md
 * "Segments on objects"): a change to
 * an object with more related people than one write re-evaluates leaves the rest here, as a cursor
 * over the object's relationships (`object_oid`, `after_pid`) or, for a deleted object, the people
 * it had (`pids`). A background worker takes them in bounded batches. A new table only.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  type Build = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  const id: [string, 'integer' | 'bigserial', Build] =
    dialect === 'sqlite'
      ? ['id', 'integer', (c) => c.primaryKey().autoIncrement()]
      : ['id', 'bigserial', (c) => c.primaryKey()];
  await db.schema
    .createTable('segment_catchup')
    .ifNotExists()
    .addColumn(id[0], id[1], id[2])
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('type_id', 'text', (c) => c.notNull())
    .addColumn('object_oid', t.bigint)
    .addColumn('after_pid', t.bigint, (c) => c.notNull())
    .addColumn('pids', t.json)
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('segment_catchup_ws')
    .ifNotExists()
    .on('segment_catchup')
    .columns(['workspace_id'])
    .execute();
}
