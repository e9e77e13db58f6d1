import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Indexed attributes (docs/app-api.md "Indexed attributes"): the registry of the person attributes
 * a workspace has asked to be indexed, one row per attribute and kind (`text` for eq/in, `number`
 * for ranges), with the build's status. The indexes themselves are built later, in the background
 * and without stopping writes (store/people/attribute-indexes.ts); this migration only adds the
 * small table, so an upgrade writes nothing to existing rows and holds no lock on `people`.
 * Keyed by workspace first, like every table that grows with a workspace (docs/scaling.md).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('attribute_indexes')
    .ifNotExists()
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // building | ready | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('attribute_indexes_pk', ['workspace_id', 'name', 'kind'])
    .execute();
}
