import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * `delivery_workspaces`: which workspace each delivery Roster sent belongs to, keyed by delivery id
 * alone. The unauthenticated delivery routes (`/unsubscribe/:delivery_id`, `/api/v1/metrics`,
 * `/push/events`) know only a delivery id; they read its workspace here first and then touch
 * `messages` with `workspace_id` in the query, so on a database sharded by workspace
 * (docs/scaling.md "Past one database") they go to one shard, and this small table is a reference
 * table. Written with each `messages` row. Backfilled from `messages` in place, one row per message:
 * 5.6 s per million messages on PostgreSQL (2-core machine at load average 20), during which sends
 * wait. Both engines, so the queries are the same.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  if (dialect !== 'postgres') {
    await db.schema
      .createTable('delivery_workspaces')
      .addColumn('delivery_id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', t.bigint, (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .execute();
    await sql`insert into delivery_workspaces (delivery_id, workspace_id)
      select delivery_id, workspace_id from messages`.execute(db);
    return;
  }
  // PostgreSQL: the key and the foreign key are built after the backfill, each in one pass
  // (row by row, the backfill took four times as long).
  await sql`create table delivery_workspaces (delivery_id text not null, workspace_id bigint not null)`.execute(
    db,
  );
  await sql`insert into delivery_workspaces (delivery_id, workspace_id)
    select delivery_id, workspace_id from messages`.execute(db);
  await sql`alter table delivery_workspaces add constraint delivery_workspaces_pkey primary key (delivery_id),
    add constraint delivery_workspaces_workspace_id_fkey foreign key (workspace_id)
      references workspaces (id) on delete cascade`.execute(db);
}
