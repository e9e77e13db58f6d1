import { sql } from 'kysely';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { openImportStore } from '../../src/ops/bulk/import-store.js';
import {
  CHECKPOINT_FALLBACK_PAGES,
  startCheckpointer,
  type Checkpointer,
} from '../../src/store/sqlite/checkpointer.js';
import { waitFor } from '../../../../test/helpers/wait.js';
import type { Store } from '../../src/store/store.js';

/** `roster serve` on SQLite: the WAL is copied back by a worker thread, not inside COMMITs. */
describe('background WAL checkpoints (SQLite)', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const open = async (background: boolean) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'roster-ckpt-'));
    dirs.push(dir);
    const store = await openStore({ dataDir: dir, sqliteBackgroundCheckpoint: background });
    stores.push(store);
    return { dir, store };
  };
  // About 1,500 WAL pages: past SQLite's default automatic checkpoint (1,000), below the fallback.
  const write = (store: Store, from: number) =>
    store.transaction(async (trx) => {
      await sql`create table if not exists filler (n integer primary key, text text not null)`.execute(trx);
      for (let i = from; i < from + 3000; i++)
        await sql`insert into filler (n, text) values (${i}, ${'x'.repeat(1500)})`.execute(trx);
    });
  const pragma = async (store: Store, name: string) =>
    Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];

  it('a worker checkpoints while the server writes; the server keeps only a high fallback', async () => {
    const { dir, store } = await open(true);
    expect(await pragma(store, 'wal_autocheckpoint')).toBe(CHECKPOINT_FALLBACK_PAGES);
    await write(store, 0);
    // The WAL holds far more than 1,000 pages, so only the worker can have copied them back.
    expect(statSync(path.join(dir, 'roster.db-wal')).size).toBeGreaterThan(1000 * 4096);
    // The worker checkpoints every 100 ms, a few pages at a time when the machine is busy: wait
    // until the database file itself holds the rows (the WAL was copied into it) and the worker
    // has said so.
    await waitFor(
      'the worker to copy the WAL into the database file',
      () => statSync(path.join(dir, 'roster.db')).size > 3000 * 1500 && store.checkpointer!.busyRuns() > 0,
      60_000,
      20,
    );
    await write(store, 3000);
    await store.close();
    stores.length = 0;
    // Everything committed is there after reopening.
    const again = await openStore({ dataDir: dir });
    stores.push(again);
    const n = await sql<{
      n: number;
    }>`select count(*) as n from filler`.execute(again.db);
    expect(Number(n.rows[0]!.n)).toBe(6000);
  });

  it('a checkpoint thread that cannot run says why, once', async () => {
    const reasons: string[] = [];
    let checkpointer: Checkpointer | undefined;
    const failed = new Promise<void>((resolve) => {
      checkpointer = startCheckpointer({
        file: path.join(tmpdir(), 'roster-no-such-dir', 'roster.db'),
        synchronous: 'NORMAL',
        onFailure: (reason) => {
          reasons.push(reason);
          resolve();
        },
      });
    });
    await failed;
    // stop() on a failed thread waits for it to exit, after which nothing can report again.
    await checkpointer!.stop();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/unable to open|does not exist|directory/i);
  });

  it('only roster import keeps temporary data in memory', async () => {
    const { store } = await open(true);
    expect(await pragma(store, 'temp_store')).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'roster-ckpt-'));
    dirs.push(dir);
    const importing = await openImportStore({ dataDir: dir });
    stores.push(importing);
    expect(await pragma(importing, 'temp_store')).toBe(2);
    expect(importing.checkpointer).toBeUndefined();
  });

  it('other SQLite stores (CLI, tests) checkpoint as SQLite does by default', async () => {
    const { store } = await open(false);
    expect(store.checkpointer).toBeUndefined();
    expect(await pragma(store, 'wal_autocheckpoint')).toBe(1000);
  });
});
