import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { ensureHistoryPartitions } from '../history/partitions.js';

/**
 * PostgreSQL: `events` and `activities`, the tables that grow without bound, become partitioned by
 * month (native declarative partitioning) so retention drops a month as one table instead of
 * deleting rows (docs/operations.md "Retention"):
 *
 * - `events` by `created_at` (receive time, unix seconds). Its key becomes
 *   `(workspace_id, seq, created_at)`; `(workspace_id, event_id)` stays indexed but no longer unique
 *   (a unique index on a partitioned table must include the partition key): a repeated event id is
 *   still stored once, because the write path checks for it under the event id's advisory lock.
 * - `activities` by `id` (a ULID: its first 10 characters are its time), `id` compared bytewise
 *   (`COLLATE "C"`, which is how ULIDs sort). Its key becomes `(workspace_id, id)`, which also
 *   serves what the `activities_ws` index did.
 *
 * Both keys lead with `workspace_id` (docs/scaling.md "Past one database").
 *
 * In place: each table's rows are copied into the new partitioned table (one partition per month
 * from its oldest row to three months ahead), the old table is dropped and the new one takes its
 * name, sequence and indexes. It runs in the migration transaction, so writes wait until it
 * commits (docs/operations.md says how long per million rows). SQLite: nothing (one file, pruned in
 * batches instead).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  const now = Date.now();

  // Where each table's oldest row is, so every month that holds rows gets its partition.
  const oldest = await sql<{ events: string | null; activities: string | null }>`select
      (select min(created_at) from events) as events,
      (select min(id) from activities) as activities`.execute(db);
  const eventsFrom = oldest.rows[0]?.events == null ? now : Number(oldest.rows[0].events) * 1000;
  const activitiesFrom = ulidTime(oldest.rows[0]?.activities) ?? now;

  // events: a partitioned copy with the same columns (and the same `seq` sequence as its default).
  const seq = await sql<{ name: string }>`select pg_get_serial_sequence('events', 'seq') as name`.execute(db);
  const seqName = seq.rows[0]?.name;
  await sql`create table events_partitioned (like events including defaults including constraints including storage)
    partition by range (created_at)`.execute(db);

  // activities: `id` compared bytewise first (its old indexes go: the table is replaced below).
  for (const index of ['activities_person', 'activities_ws', 'activities_ws_type'])
    await sql.raw(`drop index if exists ${index}`).execute(db);
  await sql`alter table activities drop constraint if exists activities_pkey`.execute(db);
  await sql`alter table activities alter column id type text collate "C"`.execute(db);
  await sql`create table activities_partitioned (like activities including defaults including constraints including storage)
    partition by range (id)`.execute(db);

  // Partitions: every month from the oldest row of either table to three months ahead. Created
  // under the final names' parents, so rename the parents first.
  await sql`alter table events rename to events_unpartitioned`.execute(db);
  await sql`alter table events_partitioned rename to events`.execute(db);
  await sql`alter table activities rename to activities_unpartitioned`.execute(db);
  await sql`alter table activities_partitioned rename to activities`.execute(db);
  await ensureHistoryPartitions(db, now, 3, Math.min(eventsFrom, activitiesFrom));

  await sql`insert into events select * from events_unpartitioned`.execute(db);
  await sql`insert into activities select * from activities_unpartitioned`.execute(db);
  if (seqName) await sql.raw(`alter sequence ${seqName} owned by none`).execute(db);
  await sql`drop table events_unpartitioned`.execute(db);
  await sql`drop table activities_unpartitioned`.execute(db);
  if (seqName) await sql.raw(`alter sequence ${seqName} owned by events.seq`).execute(db);

  await sql`alter table events add constraint events_pkey primary key (workspace_id, seq, created_at)`.execute(
    db,
  );
  await sql`alter table events add constraint events_workspace_id_fkey foreign key (workspace_id)
    references workspaces (id) on delete cascade`.execute(db);
  await sql`alter table events add constraint events_person_pid_fkey foreign key (person_pid)
    references people (pid) on delete cascade`.execute(db);
  await sql`create index events_ws_eid on events (workspace_id, event_id)`.execute(db);
  await sql`create index events_person on events (person_pid, name, timestamp)`.execute(db);
  await sql`create index events_anon on events (workspace_id, anonymous_id)`.execute(db);

  await sql`alter table activities add constraint activities_pkey primary key (workspace_id, id)`.execute(db);
  await sql`alter table activities add constraint activities_workspace_id_fkey foreign key (workspace_id)
    references workspaces (id) on delete cascade`.execute(db);
  await sql`create index activities_person on activities (person_pid, id)`.execute(db);
  await sql`create index activities_ws_type on activities (workspace_id, type, id)`.execute(db);
  await sql`analyze events`.execute(db);
  await sql`analyze activities`.execute(db);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The time (ms) a ULID was made, or undefined for anything else. */
function ulidTime(id: string | null | undefined): number | undefined {
  if (!id || id.length < 10) return undefined;
  let ms = 0;
  for (const ch of id.slice(0, 10)) {
    const v = CROCKFORD.indexOf(ch);
    if (v < 0) return undefined;
    ms = ms * 32 + v;
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}
