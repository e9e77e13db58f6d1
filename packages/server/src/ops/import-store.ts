import fs from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import { openStore, type StoreConfig } from '../store/open-store.js';
import { sqliteFile } from '../store/sqlite-store.js';
import type { Store, Tx } from '../store/store.js';

/**
 * Kysely's SQLite driver prepares every statement anew; a bulk import runs the same few dozen SQL
 * texts millions of times, and preparing was a quarter of its CPU time. This wraps the connection
 * so `prepare` returns a cached statement per SQL text (bounded LRU). Safe here because the import
 * never streams (`iterate`) a statement while another use of the same text runs.
 */
export function cachingPrepare(raw: SqliteDatabase.Database, max = 1000): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(raw, {
    get(target, prop) {
      if (prop === 'prepare')
        return (text: string) => {
          let stmt = cache.get(text);
          if (stmt) {
            cache.delete(text);
            cache.set(text, stmt);
            return stmt;
          }
          stmt = target.prepare(text);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(text, stmt);
          return stmt;
        };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The store `roster import` writes through: PostgreSQL as `openStore` opens it; SQLite the same
 * file, pragmas and transaction semantics as `openSqliteStore` (WAL, `BEGIN IMMEDIATE`, busy
 * timeout so it shares the file with a running server), plus the statement cache above and a
 * larger page cache.
 */
export async function openImportStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) return openStore(config);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const raw = new SqliteDatabase(sqliteFile(config.dataDir));
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${config.sqliteSynchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('cache_size = -131072');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingPrepare(raw) }) });
  const store: Store = {
    dialect: 'sqlite',
    db,
    async transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          await sql`rollback`.execute(conn);
          throw err;
        }
      });
    },
    async lockKeys(): Promise<void> {},
    async close(): Promise<void> {
      await db.destroy();
    },
  };
  try {
    await migrate(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
