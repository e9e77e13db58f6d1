import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Objects and relationships (docs/objects.md): object types per workspace (ids "1", "2", … as
 * Customer.io numbers them), objects with attributes and per-attribute times like people,
 * relationships person ↔ object with attributes of their own, and each object's history. Only new
 * tables: an upgrade writes nothing to existing rows and holds no lock on `people`.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  type Build = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
  const serialPk = (name: string): [string, 'integer' | 'bigserial', Build] =>
    dialect === 'sqlite'
      ? [name, 'integer', (c) => c.primaryKey().autoIncrement()]
      : [name, 'bigserial', (c) => c.primaryKey()];
  const ws = (c: ColumnDefinitionBuilder) => c.notNull().references('workspaces.id').onDelete('cascade');

  await db.schema
    .createTable('object_types')
    .ifNotExists()
    .addColumn('workspace_id', t.bigint, ws)
    // A positive integer, kept as text as the wire carries it ("1").
    .addColumn('type_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('singular_name', 'text', (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('object_types_pk', ['workspace_id', 'type_id'])
    .execute();

  const oid = serialPk('oid');
  await db.schema
    .createTable('objects')
    .ifNotExists()
    .addColumn(oid[0], oid[1], oid[2])
    .addColumn('workspace_id', t.bigint, ws)
    .addColumn('type_id', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('cio_object_id', 'text', (c) => c.notNull())
    .addColumn('attributes', t.json, (c) => c.notNull())
    .addColumn('attr_ts', t.json, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('objects_ws_type_id')
    .ifNotExists()
    .unique()
    .on('objects')
    .columns(['workspace_id', 'type_id', 'object_id'])
    .execute();
  await db.schema
    .createIndex('objects_ws_cio')
    .ifNotExists()
    .unique()
    .on('objects')
    .columns(['workspace_id', 'cio_object_id'])
    .execute();

  await db.schema
    .createTable('relationships')
    .ifNotExists()
    .addColumn('workspace_id', t.bigint, ws)
    .addColumn('person_pid', t.bigint, (c) => c.notNull().references('people.pid').onDelete('cascade'))
    .addColumn('object_oid', t.bigint, (c) => c.notNull().references('objects.oid').onDelete('cascade'))
    .addColumn('attributes', t.json, (c) => c.notNull())
    .addColumn('attr_ts', t.json, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addColumn('updated_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('relationships_pk', ['person_pid', 'object_oid'])
    .execute();
  // An object's people (its relationships page, segment re-evaluation when it changes).
  await db.schema
    .createIndex('relationships_object')
    .ifNotExists()
    .on('relationships')
    .columns(['object_oid', 'person_pid'])
    .execute();

  // Relationships sent for an anonymous person (`identify_anonymous`), until they are identified.
  await db.schema
    .createTable('anonymous_relationships')
    .ifNotExists()
    .addColumn('workspace_id', t.bigint, ws)
    .addColumn('anonymous_id', 'text', (c) => c.notNull())
    .addColumn('object_oid', t.bigint, (c) => c.notNull().references('objects.oid').onDelete('cascade'))
    .addColumn('attributes', t.json, (c) => c.notNull())
    .addColumn('attr_ts', t.json, (c) => c.notNull())
    .addColumn('created_at', t.bigint, (c) => c.notNull())
    .addPrimaryKeyConstraint('anonymous_relationships_pk', ['workspace_id', 'anonymous_id', 'object_oid'])
    .execute();

  await db.schema
    .createTable('object_activities')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', t.bigint, ws)
    // No foreign key: an object's history outlives it, as a person's does.
    .addColumn('object_oid', t.bigint, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('data', t.json)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('timestamp', t.bigint, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('object_activities_object')
    .ifNotExists()
    .on('object_activities')
    .columns(['object_oid', 'id'])
    .execute();
}
