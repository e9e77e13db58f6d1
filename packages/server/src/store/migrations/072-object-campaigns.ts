import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Campaigns triggered by an object's change (docs/objects.md "Campaigns triggered by an object's
 * change"): the trigger's object type, denormalised from `trigger` as `trigger_event` is, so an
 * object write finds its campaigns with one indexed lookup. A new nullable column: existing rows
 * keep null (no object trigger) and nothing is rewritten.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('campaigns').addColumn('trigger_object_type', 'text').execute();
  await db.schema
    .createIndex('campaigns_object_trigger')
    .ifNotExists()
    .on('campaigns')
    .columns(['workspace_id', 'trigger_object_type'])
    .execute();
}
