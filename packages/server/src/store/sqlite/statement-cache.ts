import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDialectConfig } from 'kysely';
import type { DirectRunner } from '../sql.js';

/** Distinct SQL texts kept prepared; Roster issues a few hundred shapes at most. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every statement it runs; on SQLite preparing costs as much as executing a small
 * write. Keeping prepared statements by SQL text (the parameters are bound per run) removes that
 * cost. A statement still iterating (a streamed read) is busy, so a fresh one is prepared then.
 */
export class StatementCache {
  private readonly cache = new Map<string, SqliteDatabase.Statement>();
  constructor(private readonly raw: SqliteDatabase.Database) {}

  prepare(sqlText: string): SqliteDatabase.Statement {
    const cached = this.cache.get(sqlText);
    if (cached && !cached.busy) return cached;
    const statement = this.raw.prepare(sqlText);
    if (!cached) {
      if (this.cache.size >= STATEMENT_CACHE_SIZE)
        this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(sqlText, statement);
    }
    return statement;
  }

  /** The Kysely dialect's view of the database: its statements come from this cache. */
  kyselyDatabase(): SqliteDialectConfig['database'] {
    return {
      close: () => this.raw.close(),
      prepare: (sqlText: string) => this.prepare(sqlText),
    } as SqliteDialectConfig['database'];
  }

  /** Direct execution inside a transaction (store/sql.ts). */
  runner(): DirectRunner {
    return {
      all: <R>(sqlText: string, params: readonly unknown[]): R[] => {
        const st = this.prepare(sqlText);
        if (st.reader) return st.all(params) as R[];
        st.run(params);
        return [];
      },
      insert: (sqlText: string, params: readonly unknown[]): number | undefined => {
        const result = this.prepare(sqlText).run(params);
        return result.changes === 0 ? undefined : Number(result.lastInsertRowid);
      },
      run: (sqlText: string, params: readonly unknown[]): number => {
        const st = this.prepare(sqlText);
        if (st.reader) return st.all(params).length;
        return st.run(params).changes;
      },
    };
  }
}
