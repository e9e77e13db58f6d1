import pg from 'pg';
import { CompiledQuery, Kysely } from 'kysely';
import { preparedNames, queryRows, registerHolder, statement } from '../sql.js';
import { PostgresChangeFeed } from './change-feed.js';
import { DeferringPostgresDialect, type DeferringConnection } from './deferring-driver.js';
import { TableCatalog } from './table-catalog.js';
import { inlineSql, quote } from './inline-sql.js';
import type { Database } from '../schema/index.js';
import { TransactionRolledBack, type Store, type TransactionOptions, type Tx } from '../store.js';
import { QueryBudgetError } from '../../lib/errors.js';
import { DEFAULT_QUERY_BUDGET_MS } from '../query-budget.js';

const INT8_OID = 20;

const LOCK_ONE = statement('select pg_advisory_xact_lock(hashtextextended(?, 0))');
const LOCK_SHARED = statement('select pg_advisory_xact_lock_shared(hashtextextended(?, 0))');
const LOCK_MANY = statement(
  'select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(?::text[]) as k',
);

export interface PostgresOptions {
  connectionString: string;
  /** Pool size per server process. */
  maxConnections?: number;
  /** Run the hot statements as named prepared statements (default true). */
  preparedStatements?: boolean;
  /**
   * With `preparedStatements`: the merged UPDATEs a COMMIT carries run as SQL `PREPARE`d statements
   * (default true; held-writes.ts). Not behind a transaction-mode pooler: none tracks them.
   */
  sessionPrepare?: boolean;
  /** Merge a transaction's held writes into set-based statements (default true; held-writes.ts). */
  mergeHeldWrites?: boolean;
  /** `boundedRead`'s `statement_timeout` (ROSTER_QUERY_TIMEOUT_MS). */
  queryBudgetMs?: number;
  /** Groups of concurrent Track writes committing at once (`Store.writeGroups`). */
  writeGroups?: number;
}

/** PostgreSQL's SQLSTATE for a statement cancelled by `statement_timeout` (or a cancel request). */
const QUERY_CANCELED = '57014';

/**
 * Sorted keys, so two transactions locking overlapping sets cannot deadlock. Several keys (a v2
 * batch, an import batch) are locked in one round trip, in array order (unnest's order).
 */
async function lock(trx: Tx, sorted: readonly string[]): Promise<void> {
  if (sorted.length === 1) await queryRows(trx, LOCK_ONE, sorted);
  else if (sorted.length > 1) await queryRows(trx, LOCK_MANY, [sorted]);
}

/** `begin` plus the same locks as `lock`, then the shared ones, as one multi-statement text. */
function beginWithLocks(sorted: readonly string[], shared: readonly string[]): string {
  const parts = ['begin'];
  const literals = sorted.map(quote);
  if (literals.length === 1) parts.push(`select pg_advisory_xact_lock(hashtextextended(${literals[0]}, 0))`);
  else if (literals.length > 1)
    parts.push(
      `select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(array[${literals.join(', ')}]::text[]) as k`,
    );
  for (const k of shared) parts.push(`select pg_advisory_xact_lock_shared(hashtextextended(${quote(k)}, 0))`);
  return parts.join('; ');
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
  // Statements written as text (store/sql.ts) run as named prepared statements: the pg client
  // parses them once per connection. Everything else (Kysely's builder) stays unnamed. Off with
  // `preparedStatements: false` (ROSTER_PG_PREPARED_STATEMENTS=off), e.g. behind a PgBouncer in
  // transaction mode older than 1.21.
  const prepared = options.preparedStatements !== false;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (...args: unknown[]) => {
        const [text, values] = args;
        if (typeof text !== 'string') return query(...args);
        const name =
          prepared && Array.isArray(values) && values.length > 0 ? preparedNames.get(text) : undefined;
        const out = (name ? query({ name, text, values }) : query(...args)) as Promise<unknown>;
        // Several statements in one simple query (a DeferringConnection's held writes with the
        // statement that sends them) answer with one result each: the caller wants the last.
        return out.then((r) => (Array.isArray(r) ? (r[r.length - 1] as unknown) : r));
      },
    });
  });
  // An idle client that loses its connection (a PostgreSQL restart) must not crash the server;
  // the pool replaces it and the next query reconnects.
  pool.on('error', () => {});
  // Held writes merge into set-based statements (held-writes.ts) unless turned off
  // (`mergeHeldWrites: false`, ROSTER_PG_MERGE_WRITES=off: to compare, or to rule it out).
  const catalog = options.mergeHeldWrites !== false ? new TableCatalog(pool) : undefined;
  // Merged UPDATEs sent with COMMIT run as SQL prepared statements, unless prepared statements are
  // off or only the protocol's (a transaction-mode pooler would hand the next transaction another
  // session, where the statement does not exist or is another client's).
  const sessionPrepared = prepared && options.sessionPrepare !== false;
  const db = new Kysely<Database>({
    dialect: new DeferringPostgresDialect({ pool }, catalog, sessionPrepared),
  });
  const queryBudgetMs = options.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS;
  const changes = new PostgresChangeFeed(options.connectionString);

  return {
    dialect: 'postgres',
    db,
    changes,
    async transaction<T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T> {
      const keys = [...new Set(options?.lockKeys ?? [])].sort();
      const shared = [...new Set(options?.sharedLockKeys ?? [])].sort();
      // BEGIN and the advisory locks in one round trip (a simple-protocol query, so the keys are
      // quoted literals; a key with a NUL, which no literal can hold, takes the parameter path).
      const inline = ![...keys, ...shared].some((k) => k.includes('\u0000'));
      // Track writes (they lock identities) merge their held writes: the catalog that allows it is
      // read once, by the first of them, after migrations (which lock nothing) have run.
      if (keys.length > 0) await catalog?.fresh();
      return db.connection().execute(async (conn) => {
        const link = await conn.getExecutor().provideConnection(async (c) => c as DeferringConnection);
        link.reset();
        try {
          if (inline) {
            // BEGIN and its locks wait for the transaction's first statement and go with it.
            link.hold(beginWithLocks(keys, shared));
          } else {
            await conn.executeQuery(CompiledQuery.raw('begin', []));
            await lock(conn, keys);
            for (const k of shared) await queryRows(conn, LOCK_SHARED, [k]);
          }
          registerHolder(conn, link);
          const result = await fn(conn);
          // COMMIT takes whatever writes are still held with it.
          const done = await conn.executeQuery<{ command?: string }>(CompiledQuery.raw('commit', []));
          // COMMIT of a transaction that had failed answers ROLLBACK: nothing was written.
          if (done.rows[0]?.command === 'ROLLBACK') throw new TransactionRolledBack();
          return result;
        } catch (err) {
          // Nothing sent (the function failed before its first statement): nothing to roll back.
          const begun = link.sent;
          link.reset();
          // A connection that cannot even roll back is broken; pg's pool drops it on its error.
          if (begun) await conn.executeQuery(CompiledQuery.raw('rollback', [])).catch(() => undefined);
          throw err;
        }
      });
    },
    async lockKeys(trx: Tx, keys: readonly string[]): Promise<void> {
      await lock(trx, [...new Set(keys)].sort());
    },
    async schemaChange(sqlText: string): Promise<void> {
      await db.executeQuery(CompiledQuery.raw(sqlText, []));
    },
    queryBudgetMs,
    ...(options.writeGroups !== undefined ? { writeGroups: options.writeGroups } : {}),
    async boundedRead<R>(query: CompiledQuery<R>, budgetMs = queryBudgetMs): Promise<R[]> {
      const ms = Math.max(1, Math.ceil(budgetMs));
      // One round trip: a simple-protocol query of several statements runs them in one implicit
      // transaction, where `SET LOCAL` holds for the statements after it and ends with it (as does
      // the transaction if the read fails or is cancelled: nothing to roll back). PostgreSQL 13+
      // times each statement of such a query on its own.
      const text = inlineSql(query.sql, query.parameters);
      if (text !== undefined)
        return db.connection().execute(async (conn) => {
          try {
            return (
              await conn.executeQuery<R>(
                CompiledQuery.raw(`set local statement_timeout = ${ms};\n${text}`, []),
              )
            ).rows;
          } catch (err) {
            if ((err as { code?: string }).code === QUERY_CANCELED) throw new QueryBudgetError(ms);
            throw err;
          }
        });
      // A value no literal can hold (a string with NUL): BEGIN, the timeout, the read, COMMIT.
      return db.connection().execute(async (conn) => {
        try {
          await conn.executeQuery(CompiledQuery.raw(`begin; set local statement_timeout = ${ms}`, []));
          const result = await conn.executeQuery(query);
          await conn.executeQuery(CompiledQuery.raw('commit', []));
          return result.rows;
        } catch (err) {
          await conn.executeQuery(CompiledQuery.raw('rollback', [])).catch(() => undefined);
          if ((err as { code?: string }).code === QUERY_CANCELED) throw new QueryBudgetError(ms);
          throw err;
        }
      });
    },
    async close(): Promise<void> {
      await changes.close();
      await db.destroy();
    },
  };
}
