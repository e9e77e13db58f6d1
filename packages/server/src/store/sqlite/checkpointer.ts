import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own (`roster serve` on SQLite).
 *
 * SQLite copies the WAL back into the database file (a checkpoint) inside whichever COMMIT finds
 * the WAL past `wal_autocheckpoint` pages: that COMMIT then writes and fsyncs megabytes while the
 * event loop waits. Here a worker thread with its own connection runs a PASSIVE checkpoint every
 * `intervalMs` — it never waits for, nor blocks, the writer — and the server's connection keeps
 * its own automatic checkpoint only as a safety net, at {@link CHECKPOINT_FALLBACK_PAGES} (if the
 * worker falls behind, the WAL still cannot grow past that). If the worker fails, `onFailure`
 * says so and the server checkpoints as SQLite does by default again. On the 2-core bench machine,
 * alternating runs of the same build: identify of new people +4–8%, v2 batches +3–13%.
 *
 * Nothing about durability changes: a checkpoint only copies committed pages, and SQLite recovers
 * from one interrupted at any point.
 */
export interface Checkpointer {
  /** PASSIVE checkpoints that moved at least one page, so far (tests, diagnostics). */
  readonly busyRuns: () => number;
  stop(): Promise<void>;
}

export const CHECKPOINT_FALLBACK_PAGES = 10_000;

// The worker is plain CommonJS evaluated from this string, so it runs the same from the compiled
// package and from the TypeScript sources under test.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 0');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
let running = true;
let last = { log: 0, checkpointed: 0 };
const tick = () => {
  if (!running) return;
  try {
    // log: frames in the WAL; checkpointed: how many of them are in the database file by now. A
    // run moved pages when that count grew, or when the WAL had started over and is partly copied.
    const r = checkpoint.get();
    const moved = r.log < last.log ? r.checkpointed > 0 : r.checkpointed > last.checkpointed;
    last = r;
    if (moved) parentPort.postMessage({ moved: true });
  } catch (err) {
    // SQLITE_BUSY and the like: the next tick tries again; the server's own fallback still holds.
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
let timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  running = false;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

export function startCheckpointer(options: {
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  intervalMs?: number;
  /** The worker failed or exited on its own: the caller takes checkpoints back (once). */
  onFailure: (reason: string) => void;
}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      driver,
      file: options.file,
      synchronous: options.synchronous,
      intervalMs: options.intervalMs ?? 100,
    },
  });
  let moved = 0;
  let exited = false;
  let stopping = false;
  let failed = false;
  const fail = (reason: string) => {
    if (stopping || failed) return;
    failed = true;
    options.onFailure(reason);
  };
  worker.on('message', () => moved++);
  worker.on('error', (err) => fail(err instanceof Error ? err.message : String(err)));
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      exited = true;
      fail(`the checkpoint thread exited (code ${code})`);
      resolve();
    }),
  );
  worker.unref();
  return {
    busyRuns: () => moved,
    async stop() {
      // A thread that failed is exiting on its own: wait for that, still reporting nothing twice.
      if (failed) return exit;
      stopping = true;
      if (exited) return;
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 5000);
      await exit;
      clearTimeout(timeout);
    },
  };
}
