import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * SQLite: `activities` becomes a WITHOUT ROWID table keyed by `(workspace_id, id)`, the key
 * PostgreSQL's partitioned table has had since migration 95 (docs/scaling.md "History rows").
 *
 * Before, a history row was written into five B-trees: the rowid table, the implicit unique index of
 * the text primary key `id`, and the indexes `activities_person`, `activities_ws` and
 * `activities_ws_type`. Keyed by `(workspace_id, id)`, the table is itself what `activities_ws`
 * and the `id` index were (every query names its workspace), so a row is written into three,
 * and stored once instead of beside a copy of its id: an identify writes less and commits fewer
 * pages. Ids stay ULIDs, unique as before.
 *
 * In place, in the migrations' one transaction: the rows are copied in key order into the new table,
 * the old one is dropped and the new one takes its name and indexes. PostgreSQL: nothing (its table
 * is already keyed so, by month partitions).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'sqlite') return;
  await sql`create table activities_keyed (
    "id" text not null,
    "workspace_id" integer not null references "workspaces" ("id") on delete cascade,
    "person_pid" integer,
    "customer_identifiers" text,
    "type" text not null,
    "name" text,
    "data" text,
    "source" text not null,
    "delivery_id" text,
    "delivery_type" text,
    "timestamp" integer not null,
    "deleted" integer default 0 not null,
    primary key ("workspace_id", "id")
  ) without rowid`.execute(db);
  await sql`insert into activities_keyed (id, workspace_id, person_pid, customer_identifiers, type, name, data,
      source, delivery_id, delivery_type, timestamp, deleted)
    select id, workspace_id, person_pid, customer_identifiers, type, name, data,
      source, delivery_id, delivery_type, timestamp, deleted
    from activities order by workspace_id, id`.execute(db);
  await sql`drop table activities`.execute(db);
  await sql`alter table activities_keyed rename to activities`.execute(db);
  await sql`create index activities_person on activities (person_pid, id)`.execute(db);
  await sql`create index activities_ws_type on activities (workspace_id, type, id)`.execute(db);
  await sql`create index activities_person_identifiers on activities (person_pid, id)
    where customer_identifiers is not null`.execute(db);
}
