import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import type { Database } from '../schema/index.js';
import { CHECKPOINT_FALLBACK_PAGES, startCheckpointer } from './checkpointer.js';
import type { Store } from '../store.js';
import { createGroupCommit } from './group-commit.js';
import { StatementCache } from './statement-cache.js';
import { startReadPool, type ReadPool } from './read-worker.js';
import { runSchemaStatement } from './schema-worker.js';
import { DEFAULT_QUERY_BUDGET_MS } from '../query-budget.js';
import { sqliteWorkspaceFeed } from './workspace-feed.js';

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
  /**
   * Checkpoint the WAL from a worker thread instead of inside the COMMITs that cross the threshold
   * (`checkpointer.ts`). `roster serve` turns it on.
   */
  backgroundCheckpoint?: boolean;
  /** Temporary data (statement journals, sorts) in memory, never on disk: `roster import`. */
  memoryTempStore?: boolean;
  /** `boundedRead`'s time budget (ROSTER_QUERY_TIMEOUT_MS). */
  queryBudgetMs?: number;
}

/** SQLite's own `wal_autocheckpoint` default, in pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'roster.db');
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
  // Bulk imports: statement journals (kept by every multi-row statement inside a transaction, such
  // as a batch of history rows) in memory rather than spilled to a file under /var/tmp past 64 KiB:
  // an import of 200,000 rows made 2.9 million small writes to such files (of 3.4 million system
  // writes in all), and its system time halved without them. Not for the server: with it, nothing
  // temporary ever spills to disk (a segment deleted with a million members, a large GROUP BY).
  if (options.memoryTempStore) raw.pragma('temp_store = MEMORY');
  if (options.cacheSizeKib) raw.pragma(`cache_size = -${Math.trunc(options.cacheSizeKib)}`);
  const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
  const checkpointer = options.backgroundCheckpoint
    ? startCheckpointer({
        file: sqliteFile(options.dataDir),
        synchronous,
        onFailure: (reason) => {
          if (raw.open) raw.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
          process.emitWarning(
            `background WAL checkpoints stopped: ${reason}; the server checkpoints within its commits again`,
            { code: 'ROSTER_SQLITE_CHECKPOINTER' },
          );
        },
      })
    : undefined;
  if (checkpointer) raw.pragma(`wal_autocheckpoint = ${CHECKPOINT_FALLBACK_PAGES}`);
  // `budgetCheck` in statements that also run here (a broadcast's page): no deadline on this connection.
  raw.function('roster_budget', { deterministic: false }, () => 1);
  let reads: ReadPool | undefined;
  const queryBudgetMs = options.queryBudgetMs ?? DEFAULT_QUERY_BUDGET_MS;
  const statements = new StatementCache(raw);
  const runner = statements.runner();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements.kyselyDatabase() }) });

  const writer = createGroupCommit(raw, db, runner);

  return {
    dialect: 'sqlite',
    db,
    workspaceFeed: sqliteWorkspaceFeed(raw),
    ...(checkpointer ? { checkpointer } : {}),
    transaction: (fn, options) => writer.transaction(fn, options),
    async lockKeys(): Promise<void> {},
    schemaChange: (sqlText) =>
      writer.exclusive(() => runSchemaStatement(sqliteFile(options.dataDir), sqlText, synchronous)),
    queryBudgetMs,
    async boundedRead<R>(query: CompiledQuery<R>, budgetMs = queryBudgetMs): Promise<R[]> {
      // The read thread opens the file read-only, so it starts once the schema exists.
      reads ??= startReadPool({ file: sqliteFile(options.dataDir) });
      return (await reads.all(query.sql, query.parameters, budgetMs)) as R[];
    },
    async close(): Promise<void> {
      await reads?.close();
      // Writers already queued are answered before the database closes.
      await writer.idle();
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
