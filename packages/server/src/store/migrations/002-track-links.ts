import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Track API additions (docs/track-api.md §6, §7):
 * - `anonymous_links`: which person an `anonymous_id` was merged into, so anonymous events that
 *   arrive after the identify (late SDK retries) attach to that person directly. Customer.io says an
 *   anonymous id "must be unique and is not reusable": one id links to one person.
 * - `suppressions.group_key`: the suppressions created by one suppress call share a key (the
 *   person's cio_id), so unsuppressing by either identifier frees both.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('anonymous_links')
    .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('anonymous_id', 'text', (c) => c.notNull())
    .addColumn('person_pid', t.bigint, (c) => c.notNull().references('people.pid').onDelete('cascade'))
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('anonymous_links_pk', ['workspace_id', 'anonymous_id'])
    .execute();
  await db.schema
    .createIndex('anonymous_links_person')
    .on('anonymous_links')
    .columns(['person_pid'])
    .execute();
  await db.schema.alterTable('suppressions').addColumn('group_key', 'text').execute();
  await db.schema
    .createIndex('suppressions_group')
    .on('suppressions')
    .columns(['workspace_id', 'group_key'])
    .execute();
}
