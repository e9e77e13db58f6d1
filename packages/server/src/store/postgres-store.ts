import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { queryRows, statement } from './sql.js';
import type { Database } from './database.js';
import type { Store, Tx } from './store.js';

const INT8_OID = 20;

const LOCK_ONE = statement('select pg_advisory_xact_lock(hashtextextended(?, 0))');
const LOCK_MANY = statement(
  'select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(?::text[]) as k',
);

export interface PostgresOptions {
  connectionString: string;
  /** Pool size per server process. */
  maxConnections?: number;
}

/** Opens the PostgreSQL store. Several server processes may share one database. */
export function openPostgresStore(options: PostgresOptions): Store {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    // Our bigint columns hold unix seconds and row ids, all far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection (a PostgreSQL restart) must not crash the server;
  // the pool replaces it and the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  return {
    dialect: 'postgres',
    db,
    async transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
      return db.transaction().execute(fn);
    },
    async lockKeys(trx: Tx, keys: readonly string[]): Promise<void> {
      // Sorted so two transactions locking overlapping sets cannot deadlock. Several keys (a v2
      // batch, an import batch) are locked in one round trip, in array order (unnest's order).
      const sorted = [...new Set(keys)].sort();
      if (sorted.length === 1) await queryRows(trx, LOCK_ONE, sorted);
      else if (sorted.length > 1) await queryRows(trx, LOCK_MANY, [sorted]);
    },
    async close(): Promise<void> {
      await db.destroy();
    },
  };
}
