import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { QueryBudgetError } from '../../lib/errors.js';

/**
 * Filter reads (App API search and counts) on a thread of their own (SQLite).
 *
 * better-sqlite3 runs a statement synchronously on the thread that calls it: one costly search on
 * the server's connection would hold the event loop, `/healthz` and every writer included, for as
 * long as it ran (64 event conditions once froze the server for 11 s). Here each
 * read runs on a worker thread with its own read-only connection (WAL lets it read the last
 * committed state while the server writes), and stops once its budget has passed: the statements
 * call `roster_budget()` for every row they consider (`budgetCheck`), and that function throws
 * past the deadline. Reads queue for a free thread; past `maxQueued` waiting, a read is refused.
 */
export interface ReadPool {
  all(sql: string, parameters: readonly unknown[], budgetMs: number): Promise<unknown[]>;
  close(): Promise<void>;
}

const BUDGET_MESSAGE = 'roster: query budget exceeded';

// Plain CommonJS evaluated from this string, so it runs the same from the compiled package and
// from the TypeScript sources under test (like the checkpointer).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
let deadline = Infinity;
db.function('roster_budget', { deterministic: false }, () => {
  if (Date.now() > deadline) throw new Error(${JSON.stringify(BUDGET_MESSAGE)});
  return 1;
});
const cache = new Map();
parentPort.on('message', (m) => {
  if (m === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    let st = cache.get(m.sql);
    if (!st) {
      st = db.prepare(m.sql);
      if (cache.size > 200) cache.clear();
      cache.set(m.sql, st);
    }
    deadline = Date.now() + m.budgetMs;
    const rows = st.reader ? st.all(m.parameters) : (st.run(m.parameters), []);
    parentPort.postMessage({ id: m.id, rows });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err), budget: String(err && err.message).includes(${JSON.stringify(BUDGET_MESSAGE)}) });
  } finally {
    deadline = Infinity;
  }
});
`;

interface Job {
  id: number;
  sql: string;
  parameters: readonly unknown[];
  budgetMs: number;
  resolve: (rows: unknown[]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

export function startReadPool(options: { file: string; threads?: number; maxQueued?: number }): ReadPool {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const threads = options.threads ?? 1;
  const maxQueued = options.maxQueued ?? 32;
  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(WORKER, { eval: true, workerData: { driver, file: options.file } });
    const slot: Slot = { worker, job: undefined };
    worker.unref();
    worker.on('message', (m: { id: number; rows?: unknown[]; error?: string; budget?: boolean }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = undefined;
      if (m.error === undefined) job.resolve(m.rows ?? []);
      else if (m.budget) job.reject(new QueryBudgetError(job.budgetMs));
      else job.reject(new Error(m.error));
      pump();
    });
    const fail = (err: Error) => {
      const job = slot.job;
      slot.job = undefined;
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      job?.reject(err);
      // A thread that died is replaced on the next read.
      pump();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the read thread stopped')));
    return slot;
  };

  const pump = (): void => {
    if (closed) return;
    while (queue.length > 0) {
      let slot = slots.find((s) => s.job === undefined);
      if (!slot && slots.length < threads) {
        slot = spawn();
        slots.push(slot);
      }
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({
        id: job.id,
        sql: job.sql,
        parameters: job.parameters,
        budgetMs: job.budgetMs,
      });
    }
  };

  return {
    all(sql, parameters, budgetMs) {
      if (closed) return Promise.reject(new Error('the store is closed'));
      if (queue.length >= maxQueued) return Promise.reject(new QueryBudgetError(budgetMs, 'busy'));
      return new Promise<unknown[]>((resolve, reject) => {
        queue.push({ id: nextId++, sql, parameters, budgetMs, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the store is closed'));
      await Promise.all(
        slots.splice(0).map(
          (s) =>
            new Promise<void>((resolve) => {
              s.worker.removeAllListeners('exit');
              s.worker.once('exit', () => resolve());
              s.job?.reject(new Error('the store is closed'));
              s.worker.postMessage('stop');
            }),
        ),
      );
    },
  };
}
