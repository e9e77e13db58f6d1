import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * One schema statement (an index built over `people`) on a thread of its own with its own
 * connection: better-sqlite3 is synchronous, so on the server's connection a build over a million
 * people would hold the event loop — every request, `/healthz` included — for as long as it ran.
 * Here it holds only SQLite's write lock; the caller keeps its own writers queued meanwhile
 * (`GroupCommit.exclusive`), so none of them waits on the lock inside SQLite.
 */
// Plain CommonJS evaluated from this string, so it runs the same from the compiled package and
// from the TypeScript sources under test (like the read thread).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = ' + workerData.synchronous);
  db.exec(workerData.sql);
  parentPort.postMessage({ ok: true });
} catch (err) {
  parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
} finally {
  if (db) db.close();
}
`;

export function runSchemaStatement(file: string, sqlText: string, synchronous: string): Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise<void>((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { driver, file, sql: sqlText, synchronous },
    });
    let settled = false;
    worker.once('message', (m: { ok: boolean; error?: string }) => {
      settled = true;
      if (m.ok) resolve();
      else reject(new Error(m.error ?? 'the schema change failed'));
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', () => {
      if (!settled) reject(new Error('the schema thread stopped before answering'));
      settled = true;
    });
  });
}
