import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDialectConfig } from 'kysely';
import type { Database } from './database.js';
import type { Store, Tx } from './store.js';

export interface SqliteOptions {
  /** The data directory; the database is `roster.db` inside it. Created when missing. */
  dataDir: string;
  /**
   * `normal` (default): in WAL mode every committed transaction survives a crash of the process
   * (the WAL is in the OS page cache); a power loss can lose the last few. `full` also fsyncs the
   * WAL on every commit, surviving power loss at the cost of write throughput.
   */
  synchronous?: 'normal' | 'full';
  /** SQLite's page cache, KiB (SQLite's default is 2 MiB); bulk imports ask for more. */
  cacheSizeKib?: number;
}

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'roster.db');
}

/** Distinct SQL texts kept prepared; Roster issues a few hundred shapes at most. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every statement it runs; on SQLite preparing costs as much as executing a small
 * write. Keeping prepared statements by SQL text (the parameters are bound per run) removes that
 * cost. A statement still iterating (a streamed read) is busy, so a fresh one is prepared then.
 */
function withStatementCache(raw: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => raw.close(),
    prepare(sqlText: string) {
      const cached = cache.get(sqlText);
      if (cached && !cached.busy) return cached;
      const statement = raw.prepare(sqlText);
      if (!cached) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sqlText, statement);
      }
      return statement;
    },
  } as SqliteDialectConfig['database'];
}

/** Opens (creating if needed) the embedded SQLite store. */
export function openSqliteStore(options: SqliteOptions): Store {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const raw = new SqliteDatabase(sqliteFile(options.dataDir));
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.pragma('foreign_keys = ON');
  // Another process (the CLI, a backup) may hold the write lock briefly.
  raw.pragma('busy_timeout = 5000');
  if (options.cacheSizeKib) raw.pragma(`cache_size = -${Math.trunc(options.cacheSizeKib)}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });

  return {
    dialect: 'sqlite',
    db,
    async transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
      // Kysely's SQLite driver has one connection guarded by a mutex; holding it for the whole
      // transaction keeps other requests' statements out of it.
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
}
