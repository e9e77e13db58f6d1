import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sqliteFile } from './sqlite-store.js';

export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
}

/**
 * An online backup of the SQLite store with SQLite's backup API (better-sqlite3 `.backup`): a
 * consistent snapshot while `roster serve` keeps reading and writing (WAL mode lets it). Copies in
 * steps, so a busy server is not held up; the copy is then checked with `PRAGMA integrity_check`.
 */
export async function backupSqlite(
  dataDir: string,
  dest: string,
  onProgress?: (p: { totalPages: number; remainingPages: number }) => void,
): Promise<BackupResult> {
  const source = sqliteFile(dataDir);
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  const target = path.resolve(dest);
  if (fs.existsSync(target)) throw new Error(`${target} exists; choose a new file`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const started = Date.now();
  const db = new SqliteDatabase(source, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  let pages = 0;
  try {
    const tmp = `${target}.partial`;
    fs.rmSync(tmp, { force: true });
    const r = await db.backup(tmp, {
      progress: (info) => {
        pages = info.totalPages;
        onProgress?.(info);
        return 256;
      },
    });
    pages = r.totalPages;
    const copy = new SqliteDatabase(tmp, { fileMustExist: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
      // A standalone file: no WAL to carry around.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fs.renameSync(tmp, target);
  } finally {
    db.close();
  }
  return { file: target, bytes: fs.statSync(target).size, pages, ms: Date.now() - started };
}
