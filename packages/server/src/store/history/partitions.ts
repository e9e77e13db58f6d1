import { sql, type QueryExecutorProvider } from 'kysely';
import { encodeTime } from '../../lib/ulid.js';
import type { Tx } from '../store.js';

/**
 * The history tables that grow without bound. On PostgreSQL both are partitioned by month
 * (docs/operations.md "Retention"): `events` by `created_at` (receive time, unix seconds),
 * `activities` by `id` (a ULID, whose first 10 characters are its creation time), so a month of
 * history is one table that retention drops whole.
 */
export type HistoryTable = 'events' | 'activities';
/** What the partition statements run on: a transaction, or a migration's untyped handle. */
type Db = QueryExecutorProvider;

export const HISTORY_TABLES: readonly HistoryTable[] = ['events', 'activities'];

/** An arbitrary constant: the advisory lock under which servers create and drop partitions. */
const PARTITION_LOCK_KEY = 727_365_095;

/** Rows of a DEFAULT partition one retention run deletes. */
const DEFAULT_PRUNE_BATCH = 5000;

/** Milliseconds at the start (UTC) of the month containing `ms`, plus `add` months. */
export function monthStartMs(ms: number, add = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + add, 1);
}

/** `events_y2026m12`: the partition holding the month starting at `startMs`. */
export function partitionName(table: HistoryTable, startMs: number): string {
  const d = new Date(startMs);
  return `${table}_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The partition key's value at `ms`: unix seconds for events, a ULID time prefix for activities. */
function bound(table: HistoryTable, ms: number): string {
  return table === 'events' ? String(Math.floor(ms / 1000)) : `'${encodeTime(ms)}'`;
}

/** The month-start milliseconds a partition name stands for, or undefined for other names. */
export function partitionMonth(table: HistoryTable, name: string): number | undefined {
  const m = new RegExp(`^${table}_y(\\d{4})m(\\d{2})$`).exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) : undefined;
}

/** The partition key column of a history table. */
function keyColumn(table: HistoryTable): string {
  return table === 'events' ? 'created_at' : 'id';
}

/**
 * The DEFAULT partition (migration 120): rows whose receive time falls in no month partition are
 * stored there rather than refused.
 */
export function defaultPartitionName(table: HistoryTable): string {
  return `${table}_default`;
}

async function hasDefaultPartition(db: Db, table: HistoryTable): Promise<boolean> {
  const r = await sql<{ n: number }>`select 1 as n from pg_class
    where relname = ${defaultPartitionName(table)} and relispartition`.execute(db);
  return r.rows.length > 0;
}

/**
 * Creates the month partition starting at `startMs` unless it exists. Rows of that month waiting
 * in the DEFAULT partition move into it (PostgreSQL refuses a new partition while the default one
 * holds rows that belong to it).
 */
async function createMonth(db: Db, table: HistoryTable, startMs: number): Promise<boolean> {
  const name = partitionName(table, startMs);
  const exists = await sql<{ n: number }>`select 1 as n from pg_class where relname = ${name}`.execute(db);
  if (exists.rows.length > 0) return false;
  const from = bound(table, startMs);
  const to = bound(table, monthStartMs(startMs, 1));
  const key = keyColumn(table);
  const def = defaultPartitionName(table);
  let moving = false;
  if (await hasDefaultPartition(db, table)) {
    const waiting = await sql
      .raw<{ n: number }>(`select 1 as n from ${def} where ${key} >= ${from} and ${key} < ${to} limit 1`)
      .execute(db);
    if (waiting.rows.length > 0) {
      moving = true;
      await sql.raw(`create temporary table roster_moving (like ${table}) on commit drop`).execute(db);
      await sql
        .raw(
          `with m as (delete from ${def} where ${key} >= ${from} and ${key} < ${to} returning *)
           insert into roster_moving select * from m`,
        )
        .execute(db);
    }
  }
  await sql
    .raw(`create table ${name} partition of ${table} for values from (${from}) to (${to})`)
    .execute(db);
  if (moving) {
    await sql.raw(`insert into ${table} select * from roster_moving`).execute(db);
    await sql.raw(`drop table roster_moving`).execute(db);
  }
  return true;
}

/**
 * PostgreSQL: makes sure the partitions for every month from `fromMs`'s to `monthsAhead` months
 * after `nowMs`'s exist (run in a transaction; servers take turns on an advisory lock). Returns the
 * partitions created.
 */
export async function ensureHistoryPartitions(
  db: Db,
  nowMs: number,
  monthsAhead: number,
  fromMs = nowMs,
): Promise<string[]> {
  await sql`select pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`.execute(db);
  const made: string[] = [];
  const last = monthStartMs(nowMs, monthsAhead);
  for (const table of HISTORY_TABLES)
    for (let m = monthStartMs(fromMs); m <= last; m = monthStartMs(m, 1))
      if (await createMonth(db, table, m)) made.push(partitionName(table, m));
  return made;
}

/** The month partitions of a history table, oldest first, with the start of their month. */
export async function listHistoryPartitions(
  db: Db,
  table: HistoryTable,
): Promise<Array<{ name: string; startMs: number }>> {
  const rows = await sql<{ name: string }>`select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
      where p.relname = ${table}`.execute(db);
  const out: Array<{ name: string; startMs: number }> = [];
  for (const r of rows.rows) {
    const startMs = partitionMonth(table, r.name);
    if (startMs !== undefined) out.push({ name: r.name, startMs });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/**
 * PostgreSQL: drops the partitions of `table` whose whole month ends at or before `cutoffMs`, at
 * most `limit` of them. Each drop holds the parent's lock for a moment; a drop that would wait
 * longer than `lockTimeoutMs` for running writes gives up (an error) and is retried later.
 */
export async function dropHistoryPartitionsBefore(
  db: Db,
  table: HistoryTable,
  cutoffMs: number,
  limit: number,
  lockTimeoutMs: number,
): Promise<string[]> {
  await sql`select pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`.execute(db);
  await sql.raw(`set local lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`).execute(db);
  const dropped: string[] = [];
  for (const p of await listHistoryPartitions(db, table)) {
    if (dropped.length >= limit || monthStartMs(p.startMs, 1) > cutoffMs) break;
    await sql.raw(`drop table ${p.name}`).execute(db);
    dropped.push(p.name);
  }
  // The DEFAULT partition's rows of months that are past the retention as a whole, a batch at a time.
  if (dropped.length < limit && (await hasDefaultPartition(db, table))) {
    const def = defaultPartitionName(table);
    const key = keyColumn(table);
    const r = await sql
      .raw(
        `delete from ${def} where ctid in (select ctid from ${def}
           where ${key} < ${bound(table, monthStartMs(cutoffMs))} limit ${DEFAULT_PRUNE_BATCH})`,
      )
      .execute(db);
    const n = Number(r.numAffectedRows ?? 0n);
    if (n > 0) dropped.push(`${n} rows of ${def}`);
  }
  return dropped;
}

/**
 * SQLite: deletes at most `limit` activities made before `cutoffMs`. The table is keyed by
 * `(workspace_id, id)` (migration 133) and ids are ULIDs, so each workspace's old rows are the start
 * of its key range: this reads only what it deletes. Returns how many.
 */
export async function pruneActivitiesBefore(db: Tx, cutoffMs: number, limit: number): Promise<number> {
  const r = await sql`delete from activities where (workspace_id, id) in (
      select a.workspace_id, a.id from workspaces w
      join activities a on a.workspace_id = w.id and a.id < ${encodeTime(cutoffMs)}
      limit ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * SQLite: deletes at most `limit` events received before `cutoffSeconds`, oldest first. Reads the
 * oldest `limit` rows by `seq` (the insert order) and deletes those old enough, so a run costs at
 * most one batch whether or not anything is old enough. Returns how many.
 */
export async function pruneEventsBefore(db: Tx, cutoffSeconds: number, limit: number): Promise<number> {
  const r = await sql`delete from events where seq in (
      select seq from (select seq, created_at from events order by seq limit ${limit})
      where created_at < ${cutoffSeconds})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** The conditions of every dynamic segment of every workspace (JSON text or value, as stored). */
export async function allSegmentConditions(db: Tx): Promise<unknown[]> {
  const rows = await db
    .selectFrom('segments')
    .select('conditions')
    .where('conditions', 'is not', null)
    .execute();
  return rows.map((r) => r.conditions);
}
