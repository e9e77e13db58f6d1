import type SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../schema/index.js';
import { registerDirect, transactionLost, type DirectRunner } from '../sql.js';
import type { TransactionOptions, Tx } from '../store.js';

/**
 * Writers waiting for a transaction while one runs are committed together, up to this many: the
 * group runs in one SQLite transaction, each writer in its own savepoint.
 */
const MAX_GROUP = 64;
/** …and until their total weight (`TransactionOptions.weight`: writes made) reaches this. */
const MAX_GROUP_WEIGHT = 500;

interface Waiter {
  fn: (trx: Tx) => Promise<unknown>;
  /** Runs alone and outside any transaction (`exclusive`): `fn` gets no handle. */
  exclusive?: boolean;
  weight: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** SQLite's single writer, shared by the writers that queue while a transaction runs. */
export interface GroupCommit {
  transaction<T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs `fn` when the writers queued before it are done, with no transaction open on this
   * connection, and starts the next group only once it settles: for work another connection
   * writes (a schema change on a thread of its own) while this one's writers wait in memory.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves once the writers already queued have been answered. */
  idle(): Promise<void>;
}

/**
 * Group commit. SQLite has one writer, so transactions queue anyway; the ones that queued while
 * a transaction ran are run together in the next one and all are answered after its single
 * COMMIT. A commit writes every page the transaction dirtied to the WAL, and writers of one table
 * share most of those pages, so a group of 20 identifies commits about as fast as one. A group
 * runs first without savepoints (`runOptimistic`); if a writer fails, it runs again with one per
 * writer (`runCareful`): the failing writer is rolled back to its savepoint and gets its error,
 * the others still commit. Nobody is answered before the COMMIT that holds their writes.
 */
export function createGroupCommit(
  raw: SqliteDatabase.Database,
  db: Kysely<Database>,
  runner: DirectRunner,
): GroupCommit {
  return new GroupCommitter(raw, db, runner);
}

class GroupCommitter implements GroupCommit {
  private readonly waiting: Waiter[] = [];
  private draining = false;

  constructor(
    private readonly raw: SqliteDatabase.Database,
    private readonly db: Kysely<Database>,
    private readonly runner: DirectRunner,
  ) {}

  transaction<T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const weight = Math.max(1, options?.weight ?? 1);
      this.enqueue({ fn, weight, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue({
        fn: () => fn(),
        exclusive: true,
        weight: 1,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
    });
  }

  async idle(): Promise<void> {
    while (this.draining) await new Promise((r) => setTimeout(r, 5));
  }

  private enqueue(w: Waiter): void {
    this.waiting.push(w);
    // better-sqlite3 is synchronous: a transaction never yields to the event loop, so other
    // requests can only join a group if it starts after the I/O already read has been handled.
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => void this.drain());
    }
  }

  /**
   * A writer's own handle on the connection, its statements run directly: what code remembers per
   * transaction handle (store/sql.ts, suppression and segment-version memos) never outlives a writer
   * that is rolled back, nor leaks into the next writer.
   */
  private writerHandle(conn: Tx): Tx {
    const tx = conn.withoutPlugins();
    registerDirect(tx, this.runner);
    return tx;
  }

  /** Ends the transaction (unless SQLite already did) and drops whatever was cached from it. */
  private abandonTransaction(): void {
    if (this.raw.inTransaction) {
      try {
        this.raw.exec('rollback');
      } catch {
        // Nothing more to undo.
      }
    }
    transactionLost();
  }

  private async runGroup(group: Waiter[]): Promise<void> {
    if (group.length > 1 && (await this.runOptimistic(group))) return;
    await this.runCareful(group);
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
  private async runOptimistic(group: Waiter[]): Promise<boolean> {
    const values: unknown[] = [];
    let failure: { error: unknown } | undefined;
    const done = await this.db.connection().execute(async (conn) => {
      try {
        this.raw.exec('begin immediate');
      } catch (error) {
        failure = { error };
        return true;
      }
      for (const w of group) {
        let ok = true;
        try {
          values.push(await w.fn(this.writerHandle(conn)));
        } catch {
          ok = false;
        }
        if (!ok || !this.raw.inTransaction) {
          this.abandonTransaction();
          return false;
        }
      }
      try {
        this.raw.exec('commit');
      } catch (error) {
        this.abandonTransaction();
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

  private async runCareful(group: Waiter[]): Promise<void> {
    const outcomes: Outcome[] = [];
    let retry: Waiter[] = [];
    const alone = group.length === 1;
    /**
     * The transaction is gone (SQLite ended it, e.g. on a full disk, or a savepoint could not be
     * rolled back): the members before `i` that succeeded lost their writes and run again in a new
     * transaction, as do the ones after `i`, which have not run.
     */
    const abandon = (i: number): void => {
      this.abandonTransaction();
      retry = group.filter((_, j) => (j < i && outcomes[j]!.ok) || j > i);
    };
    await this.db.connection().execute(async (conn) => {
      try {
        this.raw.exec('begin immediate');
      } catch (error) {
        for (const _ of group) outcomes.push({ ok: false, error });
        return;
      }
      for (const [i, w] of group.entries()) {
        let outcome: Outcome;
        try {
          if (!alone) this.raw.exec('savepoint roster_group_member');
          outcome = { ok: true, value: await w.fn(this.writerHandle(conn)) };
        } catch (error) {
          outcome = { ok: false, error };
        }
        if (!this.raw.inTransaction) {
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
            if (!alone) this.raw.exec('release roster_group_member');
          } else if (alone) this.raw.exec('rollback');
          else {
            this.raw.exec('rollback to roster_group_member');
            this.raw.exec('release roster_group_member');
          }
        } catch (error) {
          outcomes.push(outcome.ok ? { ok: false, error } : outcome);
          abandon(i);
          return;
        }
        outcomes.push(outcome);
      }
      if (!this.raw.inTransaction) return; // a writer alone failed and was rolled back
      try {
        this.raw.exec('commit');
      } catch (error) {
        this.abandonTransaction();
        for (const [i, o] of outcomes.entries()) if (o.ok) outcomes[i] = { ok: false, error };
      }
    });
    for (const [i, o] of outcomes.entries()) {
      const w = group[i]!;
      if (retry.includes(w)) continue;
      if (o.ok) w.resolve(o.value);
      else w.reject(o.error);
    }
    if (retry.length > 0) this.waiting.unshift(...retry);
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        if (this.waiting[0]!.exclusive) {
          const w = this.waiting.shift()!;
          try {
            w.resolve(await (w.fn as () => Promise<unknown>)());
          } catch (err) {
            w.reject(err);
          }
          continue;
        }
        let n = 0;
        let weight = 0;
        while (
          n < this.waiting.length &&
          n < MAX_GROUP &&
          !this.waiting[n]!.exclusive &&
          (n === 0 || weight + this.waiting[n]!.weight <= MAX_GROUP_WEIGHT)
        )
          weight += this.waiting[n++]!.weight;
        const group = this.waiting.splice(0, n);
        try {
          await this.runGroup(group);
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
