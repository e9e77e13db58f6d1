/// <reference types="node" />
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { StorageAdapter } from '../core/platform.js';

let sequence = 0;

/**
 * One JSON file per key in `dir`, replaced atomically: write a temp file, fsync it, rename it over
 * the old one, fsync the directory. A crash at any point leaves either the old or the new document,
 * never a torn one (the classic SDKs' inventory + per-task files could diverge).
 * @example
 * const storage = createFileStorage('./.roster');
 */
export function createFileStorage(dir: string): StorageAdapter {
  const file = (key: string) => join(dir, `${encodeURIComponent(key)}.json`);
  return {
    async getItem(key) {
      try {
        return await readFile(file(key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async setItem(key, value) {
      await mkdir(dir, { recursive: true });
      const target = file(key);
      const temp = `${target}.${process.pid}.${++sequence}.tmp`;
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(value, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      await syncDir(dir);
    },
    async removeItem(key) {
      await unlink(file(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}

/** Makes the rename itself durable; not supported on every OS/filesystem, so best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  }
}
