import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * `roster import` progress (docs/import-export.md). One row per import of one file into one
 * workspace; each batch of rows and the row's new position commit in the same transaction, so an
 * interrupted import resumes exactly after the last committed batch — no row is applied twice.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    // running | done
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('byte_offset', t.bigint, (c) => c.notNull())
    .addColumn('line', t.bigint, (c) => c.notNull())
    .addColumn('rows_ok', t.bigint, (c) => c.notNull())
    .addColumn('rows_failed', t.bigint, (c) => c.notNull())
    // Length of the errors file after the last committed batch: a resume truncates it there.
    .addColumn('errors_bytes', t.bigint, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
}
