import { sql, type Kysely } from 'kysely';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import type { Store, Tx } from './store.js';

/** An arbitrary constant: the PostgreSQL advisory lock that serialises migrations across servers. */
const MIGRATION_LOCK_KEY = 727_365_001;

/** Where migrations say what they do (pino's `info(obj, msg)` fits). */
export interface MigrationLog {
  info(obj: object, msg: string): void;
}

const SILENT: MigrationLog = { info: () => {} };

/** SQLite answers BUSY when another process holds the write lock past `busy_timeout` (5 s). */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Applies pending migrations, all in one transaction: either every one of them commits, with a
 * `roster_migrations` row each, or none does and the database is as it was.
 *
 * Never twice, never concurrently: PostgreSQL takes an advisory lock first (other servers starting
 * on the same database wait for it); SQLite's `BEGIN IMMEDIATE` admits one writer, and a process
 * that finds another one migrating waits for it (logging that it does). The waiting process then
 * reads `roster_migrations` and finds nothing left to do.
 *
 * A database that a newer release has migrated (it holds versions this one does not know) is
 * refused: this release could misread it. Restore the backup taken before the upgrade instead.
 *
 * Returns the versions applied now.
 */
export async function migrate(
  store: Store,
  migrations: readonly Migration[] = allMigrations,
  log: MigrationLog = SILENT,
): Promise<number[]> {
  for (let waited = 0; ; waited++) {
    try {
      const started = Date.now();
      const applied = await store.transaction((trx) => applyPending(store, trx, migrations, log));
      if (applied.length > 0)
        log.info(
          { applied, ms: Date.now() - started },
          `migrations: ${applied.length} applied and committed in ${Date.now() - started} ms`,
        );
      return applied;
    } catch (err) {
      if (store.dialect !== 'sqlite' || !isBusy(err)) throw err;
      if (waited % 12 === 0)
        log.info(
          { waitedSeconds: waited * 5 },
          'migrations: another process is writing this database; waiting',
        );
    }
  }
}

async function applyPending(
  store: Store,
  trx: Tx,
  migrations: readonly Migration[],
  log: MigrationLog,
): Promise<number[]> {
  // A migration sees the database as it was then, not as `Database` types it now (kysely's advice).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db: Kysely<any> = trx;
  if (store.dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(db);
  }
  await db.schema
    .createTable('roster_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', store.dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
    .execute();
  const done = new Set(
    (await trx.selectFrom('roster_migrations').select('version').execute()).map((r) => Number(r.version)),
  );
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...done].filter((v) => !known.has(v)).sort((a, b) => a - b);
  if (unknown.length > 0)
    throw new Error(
      `this database has migrations this release of Roster does not know (${unknown.slice(0, 10).join(', ')}` +
        `${unknown.length > 10 ? `, … ${unknown.length} in all` : ''}): ` +
        'it was upgraded by a newer release. Run that release, or restore the backup taken before the upgrade.',
    );
  const pending = migrations.filter((m) => !done.has(m.version));
  if (pending.length === 0) return [];
  log.info(
    { engine: store.dialect, pending: pending.map((m) => `${m.version} ${m.name}`) },
    `migrations: applying ${pending.length} in one transaction (writes wait until it commits)`,
  );
  const applied: number[] = [];
  for (const m of pending) {
    const t0 = Date.now();
    await m.up(db, store.dialect);
    await trx
      .insertInto('roster_migrations')
      .values({ version: m.version, name: m.name, applied_at: Math.floor(Date.now() / 1000) })
      .execute();
    applied.push(m.version);
    const ms = Date.now() - t0;
    log.info(
      { version: m.version, name: m.name, ms },
      `migration ${m.version} ${m.name} applied in ${ms} ms`,
    );
  }
  return applied;
}
