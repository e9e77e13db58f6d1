import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Deleting an object with many related people (docs/objects.md "Limits of one write"): the
 * `delete_relationship` history of the people beyond what one write handles follows in the
 * background batches that bring their segment memberships up to date. `history` holds what those
 * activities say (the object's identifiers, the write's source and time). A new nullable column:
 * existing rows keep null and nothing is rewritten.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('segment_catchup').addColumn('history', t.json).execute();
}
