import { migrate, type MigrationLog } from './migrate.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface StoreConfig {
  /** When set, PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  sqliteSynchronous?: 'normal' | 'full';
  sqliteCacheSizeKib?: number;
  /** SQLite: checkpoint the WAL from a worker thread (`roster serve`). */
  sqliteBackgroundCheckpoint?: boolean;
  /** SQLite: temporary data in memory (`roster import`: its batches' statement journals). */
  sqliteMemoryTempStore?: boolean;
  /**
   * PostgreSQL: run the Track write path's statements as named prepared statements. Default: on;
   * off for PgBouncer in transaction mode before 1.21 (ROSTER_PG_PREPARED_STATEMENTS=off).
   */
  pgPreparedStatements?: boolean;
  /**
   * PostgreSQL, with `pgPreparedStatements`: the merged UPDATEs a COMMIT carries run as SQL
   * `PREPARE`/`EXECUTE`, which last as long as the server session and which no transaction-mode
   * pooler tracks (PgBouncer 1.21+ only tracks the protocol's). Default: on; off with
   * ROSTER_PG_PREPARED_STATEMENTS=protocol (or off).
   */
  pgSessionPrepare?: boolean;
  /**
   * PostgreSQL: merge a transaction's held writes of the same shape into set-based statements
   * (store/postgres/held-writes.ts). Default: on (ROSTER_PG_MERGE_WRITES=off to compare).
   */
  pgMergeWrites?: boolean;
  /** PostgreSQL: groups of concurrent Track writes committing at once (ROSTER_PG_WRITE_GROUPS). */
  pgWriteGroups?: number | undefined;
  /** Time budget of the App API's filter reads, ms (ROSTER_QUERY_TIMEOUT_MS; default 10,000). */
  queryBudgetMs?: number;
  /** Where migrations say what they apply and how long it took (default: nowhere). */
  migrationLog?: MigrationLog;
}

/** Opens the configured engine and brings its schema up to date. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const store = config.databaseUrl
    ? openPostgresStore({
        connectionString: config.databaseUrl,
        preparedStatements: config.pgPreparedStatements ?? true,
        sessionPrepare: config.pgSessionPrepare ?? true,
        mergeHeldWrites: config.pgMergeWrites ?? true,
        queryBudgetMs: config.queryBudgetMs,
        writeGroups: config.pgWriteGroups,
      })
    : openSqliteStore({
        dataDir: config.dataDir,
        synchronous: config.sqliteSynchronous ?? 'normal',
        cacheSizeKib: config.sqliteCacheSizeKib,
        backgroundCheckpoint: config.sqliteBackgroundCheckpoint,
        memoryTempStore: config.sqliteMemoryTempStore,
        queryBudgetMs: config.queryBudgetMs,
      });
  try {
    await migrate(store, undefined, config.migrationLog);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
