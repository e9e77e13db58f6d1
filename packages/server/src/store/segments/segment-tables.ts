import { sql } from 'kysely';
import { isSoleWriter, queryRows, statement, TransactionMemo } from '../sql.js';
import type { Tx } from '../store.js';

/** Tables added by migration 030, typed locally (`withTables`) so the shared schema stays untouched. */
export type SegmentTables = {
  segment_catalog: { workspace_id: number; version: number };
  segment_size_log: { workspace_id: number; segment_id: number; timestamp: number; delta: number };
};

export function segmentDb(db: Tx) {
  return db.withTables<SegmentTables>();
}

/** The workspace's segment-definition version (0 before any dynamic segment). */
const VERSION = statement('select version from segment_catalog where workspace_id = ?');
const VERSION_AND_PERSON = statement(
  `select (select version from segment_catalog where workspace_id = ?) as version,
          (select count(*) from people where pid = ?) as present`,
);
const LOCK_SHARED = statement('select pg_advisory_xact_lock_shared(hashtextextended(?, 0))');
const LOCK_EXCLUSIVE = statement('select pg_advisory_xact_lock(hashtextextended(?, 0))');

export async function catalogVersion(db: Tx, workspaceId: number): Promise<number> {
  const [row] = await queryRows<{ version: number | string }>(db, VERSION, [workspaceId]);
  return row ? Number(row.version) : 0;
}

/** The catalog version, and whether the person still exists, in one read. */
export async function catalogVersionAndPresence(
  db: Tx,
  workspaceId: number,
  pid: number,
): Promise<{ version: number; present: boolean }> {
  const [row] = await queryRows<{ version: number | string | null; present: number | string }>(
    db,
    VERSION_AND_PERSON,
    [workspaceId, pid],
  );
  return { version: Number(row?.version ?? 0), present: Number(row?.present ?? 0) > 0 };
}

/**
 * Catalog versions a transaction has read. Within a transaction the version cannot change under
 * it (SQLite has one writer; PostgreSQL writers hold the definitions' shared lock, which a change
 * needs exclusively) except by the transaction itself, which `bumpCatalogVersion` records.
 */
const seenVersions = new TransactionMemo<number>();

export function versionSeen(db: Tx, workspaceId: number): number | undefined {
  return seenVersions.get(db, workspaceId);
}

export function noteVersionSeen(db: Tx, workspaceId: number, version: number): void {
  seenVersions.set(db, workspaceId, version);
}

/** Bumps the version inside the transaction that changes a definition. */
export async function bumpCatalogVersion(db: Tx, workspaceId: number): Promise<void> {
  seenVersions.delete(db, workspaceId);
  await segmentDb(db)
    .insertInto('segment_catalog')
    .values({ workspace_id: workspaceId, version: 1 })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ version: sql`segment_catalog.version + 1` }))
    .execute();
}

/**
 * PostgreSQL only: writes take this lock shared, segment edits and time rechecks exclusive, so a
 * write never commits a membership decision made against definitions that changed under it, and a
 * backfill never misses a write that was evaluated against the old definitions. SQLite writers are
 * serial already.
 */
export async function lockSegmentDefinitions(db: Tx, workspaceId: number, exclusive: boolean): Promise<void> {
  if (!exclusive && sharedHeld.get(db, workspaceId)) return;
  await queryRows(db, exclusive ? LOCK_EXCLUSIVE : LOCK_SHARED, [segmentLockKey(workspaceId)]);
  if (!exclusive) noteSegmentsLockedShared(db, workspaceId);
}

export function segmentLockKey(workspaceId: number): string {
  return `roster:segments:${workspaceId}`;
}

/** Transactions holding the shared lock (until they end), so it is taken once per transaction. */
const sharedHeld = new TransactionMemo<true>();

/**
 * Whether the segment catalog version of the workspace cannot change under this transaction (but
 * by itself): a SQLite transaction (one writer), or a PostgreSQL one holding the shared lock.
 */
export function catalogStable(db: Tx, workspaceId: number): boolean {
  return isSoleWriter(db) || sharedHeld.get(db, workspaceId) === true;
}

/** The transaction took the shared lock some other way (with its BEGIN: `TransactionOptions`). */
export function noteSegmentsLockedShared(db: Tx, workspaceId: number): void {
  sharedHeld.set(db, workspaceId, true);
}

export async function logSizeChange(
  db: Tx,
  workspaceId: number,
  rows: ReadonlyArray<{ segmentId: number; delta: number }>,
  timestamp: number,
): Promise<void> {
  const values = rows
    .filter((r) => r.delta !== 0)
    .map((r) => ({ workspace_id: workspaceId, segment_id: r.segmentId, timestamp, delta: r.delta }));
  if (values.length > 0) await segmentDb(db).insertInto('segment_size_log').values(values).execute();
}

/** Net membership change per time bucket, oldest first. */
export async function sizeChanges(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  bucketSeconds: number,
): Promise<Array<{ bucket: number; delta: number }>> {
  // A literal, not a parameter: PostgreSQL matches the GROUP BY expression by text.
  const size = sql.lit(Math.trunc(bucketSeconds));
  const bucket = sql<number>`(timestamp - (timestamp % ${size}))`;
  const rows = await segmentDb(db)
    .selectFrom('segment_size_log')
    .select([bucket.as('bucket'), (eb) => eb.fn.sum<number | string>('delta').as('delta')])
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .groupBy(bucket)
    .orderBy(bucket)
    .execute();
  return rows.map((r) => ({ bucket: Number(r.bucket), delta: Number(r.delta) }));
}
