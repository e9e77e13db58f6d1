import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema/index.js';
import { CHECKPOINT_FALLBACK_PAGES, startCheckpointer } from './sqlite-checkpointer.js';
import { registerDirect, transactionLost, type DirectRunner } from './sql.js';
import type { Store, TransactionOptions, Tx } from './store.js';

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
   * (`sqlite-checkpointer.ts`). `roster serve` turns it on.
   */
  backgroundCheckpoint?: boolean;
  /** Temporary data (statement journals, sorts) in memory, never on disk: `roster import`. */
  memoryTempStore?: boolean;
}

/** SQLite's own `wal_autocheckpoint` default, in pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'roster.db');
}

/** Distinct SQL texts kept prepared; Roster issues a few hundred shapes at most. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Writers waiting for a transaction while one runs are committed together, up to this many: the
 * group runs in one SQLite transaction, each writer in its own savepoint.
 */
const MAX_GROUP = 64;
/** …and until their total weight (`TransactionOptions.weight`: writes made) reaches this. */
const MAX_GROUP_WEIGHT = 500;

/**
 * Kysely prepares every statement it runs; on SQLite preparing costs as much as executing a small
 * write. Keeping prepared statements by SQL text (the parameters are bound per run) removes that
 * cost. A statement still iterating (a streamed read) is busy, so a fresh one is prepared then.
 */
class StatementCache {
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

interface Waiter {
  fn: (trx: Tx) => Promise<unknown>;
  weight: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

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
  const statements = new StatementCache(raw);
  const runner = statements.runner();
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements.kyselyDatabase() }) });

  const waiting: Waiter[] = [];
  let draining = false;

  /**
   * Group commit. SQLite has one writer, so transactions queue anyway; the ones that queued while
   * a transaction ran are run together in the next one and all are answered after its single
   * COMMIT. A commit writes every page the transaction dirtied to the WAL, and writers of one table
   * share most of those pages, so a group of 20 identifies commits about as fast as one. A group
   * runs first without savepoints (`runOptimistic`); if a writer fails, it runs again with one per
   * writer (`runCareful`): the failing writer is rolled back to its savepoint and gets its error,
   * the others still commit. Nobody is answered before the COMMIT that holds their writes.
   */
  /**
   * A writer's own handle on the connection, its statements run directly: what code remembers per
   * transaction handle (store/sql.ts, suppression and segment-version memos) never outlives a writer
   * that is rolled back, nor leaks into the next writer.
   */
  const writerHandle = (conn: Tx): Tx => {
    const tx = conn.withoutPlugins();
    registerDirect(tx, runner);
    return tx;
  };

  /** Ends the transaction (unless SQLite already did) and drops whatever was cached from it. */
  const abandonTransaction = (): void => {
    if (raw.inTransaction) {
      try {
        raw.exec('rollback');
      } catch {
        // Nothing more to undo.
      }
    }
    transactionLost();
  };

  async function runGroup(group: Waiter[]): Promise<void> {
    if (group.length > 1 && (await runOptimistic(group))) return;
    await runCareful(group);
  }

  /**
   * A group's writers usually all succeed, and then savepoints are only cost: each keeps a journal
   * of the pages its writer changes, which SQLite spills to a temporary file past 64 KiB (a v2
   * batch of 100 identifies does), about 7% of concurrent v2 batches. So a group first runs without
   * them; if a writer throws, or SQLite ends the transaction, everything is rolled back and the
   * group runs again with a savepoint per writer (`runCareful`), where the failure stays the
   * failing writer's own. Writers may run twice, as when a transaction is lost: they only write
   * through their handle, and what was cached from the rolled-back run is dropped
   * (`transactionLost`). Resolves false when the group must run again.
   */
  async function runOptimistic(group: Waiter[]): Promise<boolean> {
    const values: unknown[] = [];
    let failure: { error: unknown } | undefined;
    const done = await db.connection().execute(async (conn) => {
      try {
        raw.exec('begin immediate');
      } catch (error) {
        failure = { error };
        return true;
      }
      for (const w of group) {
        let ok = true;
        try {
          values.push(await w.fn(writerHandle(conn)));
        } catch {
          ok = false;
        }
        if (!ok || !raw.inTransaction) {
          abandonTransaction();
          return false;
        }
      }
      try {
        raw.exec('commit');
      } catch (error) {
        abandonTransaction();
        failure = { error };
      }
      return true;
    });
    if (!done) return false;
    for (const [i, w] of group.entries()) {
      if (failure) w.reject(failure.error);
      else w.resolve(values[i]);
    }
    return true;
  }

  async function runCareful(group: Waiter[]): Promise<void> {
    const outcomes: Outcome[] = [];
    let retry: Waiter[] = [];
    const alone = group.length === 1;
    /**
     * The transaction is gone (SQLite ended it, e.g. on a full disk, or a savepoint could not be
     * rolled back): the members before `i` that succeeded lost their writes and run again in a new
     * transaction, as do the ones after `i`, which have not run.
     */
    const abandon = (i: number): void => {
      abandonTransaction();
      retry = group.filter((_, j) => (j < i && outcomes[j]!.ok) || j > i);
    };
    await db.connection().execute(async (conn) => {
      try {
        raw.exec('begin immediate');
      } catch (error) {
        for (const _ of group) outcomes.push({ ok: false, error });
        return;
      }
      for (const [i, w] of group.entries()) {
        let outcome: Outcome;
        try {
          if (!alone) raw.exec('savepoint roster_group_member');
          outcome = { ok: true, value: await w.fn(writerHandle(conn)) };
        } catch (error) {
          outcome = { ok: false, error };
        }
        if (!raw.inTransaction) {
          // Even a writer that returned normally (having caught an error) has written nothing.
          outcomes.push(
            outcome.ok
              ? { ok: false, error: new Error('SQLite ended the transaction; nothing was written') }
              : outcome,
          );
          abandon(i);
          return;
        }
        try {
          if (outcome.ok) {
            if (!alone) raw.exec('release roster_group_member');
          } else if (alone) raw.exec('rollback');
          else {
            raw.exec('rollback to roster_group_member');
            raw.exec('release roster_group_member');
          }
        } catch (error) {
          outcomes.push(outcome.ok ? { ok: false, error } : outcome);
          abandon(i);
          return;
        }
        outcomes.push(outcome);
      }
      if (!raw.inTransaction) return; // a writer alone failed and was rolled back
      try {
        raw.exec('commit');
      } catch (error) {
        abandonTransaction();
        for (const [i, o] of outcomes.entries()) if (o.ok) outcomes[i] = { ok: false, error };
      }
    });
    for (const [i, o] of outcomes.entries()) {
      const w = group[i]!;
      if (retry.includes(w)) continue;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    }
    if (retry.length > 0) waiting.unshift(...retry);
  }

  async function drain(): Promise<void> {
    try {
      while (waiting.length > 0) {
        let n = 0;
        let weight = 0;
        while (
          n < waiting.length &&
          n < MAX_GROUP &&
          (n === 0 || weight + waiting[n]!.weight <= MAX_GROUP_WEIGHT)
        )
          weight += waiting[n++]!.weight;
        const group = waiting.splice(0, n);
        try {
          await runGroup(group);
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    dialect: 'sqlite',
    db,
    ...(checkpointer ? { checkpointer } : {}),
    transaction<T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const weight = Math.max(1, options?.weight ?? 1);
        waiting.push({ fn, weight, resolve: resolve as (v: unknown) => void, reject });
        // better-sqlite3 is synchronous: a transaction never yields to the event loop, so other
        // requests can only join a group if it starts after the I/O already read has been handled.
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      });
    },
    async lockKeys(): Promise<void> {},
    async close(): Promise<void> {
      // Writers already queued are answered before the database closes.
      while (draining) await new Promise((r) => setTimeout(r, 5));
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}
