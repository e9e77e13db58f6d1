import { sql, type Kysely } from 'kysely';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import type { Store } from './store.js';

/** An arbitrary constant: the PostgreSQL advisory lock that serialises migrations across servers. */
const MIGRATION_LOCK_KEY = 727_365_001;

/**
 * Applies pending migrations in one transaction. Safe when several processes start at once:
 * PostgreSQL takes an advisory lock first, SQLite's `BEGIN IMMEDIATE` admits one writer; the
 * loser waits, then sees the migrations already applied.
 */
export async function migrate(
  store: Store,
  migrations: readonly Migration[] = allMigrations,
): Promise<number[]> {
  return store.transaction(async (trx) => {
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
      (await trx.selectFrom('roster_migrations').select('version').execute()).map((r) => r.version),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await m.up(db, store.dialect);
      await trx
        .insertInto('roster_migrations')
        .values({ version: m.version, name: m.name, applied_at: Math.floor(Date.now() / 1000) })
        .execute();
      applied.push(m.version);
    }
    return applied;
  });
}
