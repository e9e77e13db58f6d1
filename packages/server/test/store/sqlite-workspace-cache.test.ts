// The SQLite server keeps workspace rows in memory (store/sqlite/workspace-feed.ts): whatever
// changes a workspace — this process, through any statement, or another process writing the
// file — is seen by the very next request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { hashKey } from '../../src/lib/keys.js';
import { WorkspaceCache } from '../../src/services/workspace-cache.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { openStore } from '../../src/store/open-store.js';
import { sqliteFile } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

describe('SQLite workspace cache', () => {
  let dir: string;
  let store: Store;
  let workspaces: WorkspaceService;
  let reads = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-ws-cache-'));
    store = await openStore({ dataDir: dir });
    expect(store.workspaceFeed).toBeDefined();
    const cache = new WorkspaceCache(store.workspaceFeed!);
    // Counts the reads that reach the database.
    const site = cache.site.bind(cache);
    cache.site = (siteId, read) =>
      site(siteId, () => {
        reads++;
        return read();
      });
    workspaces = new WorkspaceService(store, systemClock, cache);
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers repeated requests from memory', async () => {
    const { credentials } = await workspaces.create({ name: 'memory' });
    const before = reads;
    for (let i = 0; i < 5; i++)
      expect(await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeDefined();
    expect(reads - before).toBe(1);
  });

  it('sees a key rotated through this process at once', async () => {
    const { credentials } = await workspaces.create({ name: 'rotated here' });
    expect(await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeDefined();
    const rotated = await workspaces.rotateKeys(credentials.siteId, { track: true });
    expect(await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeUndefined();
    expect(await workspaces.authenticateTrack(credentials.siteId, rotated.apiKey!)).toBeDefined();
  });

  it('sees any statement of this process that changes a workspace, committed or not', async () => {
    const { credentials, workspace } = await workspaces.create({ name: 'raw update' });
    expect(
      (await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey))?.settings
        .allowEmailUpdateViaId,
    ).toBe(false);
    await sql`update workspaces set settings = ${JSON.stringify({ allowEmailUpdateViaId: true })} where id = ${workspace.id}`.execute(
      store.db,
    );
    expect(
      (await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey))?.settings
        .allowEmailUpdateViaId,
    ).toBe(true);
    // A change rolled back leaves the committed row, which is what the next request reads.
    await expect(
      store.transaction(async (trx) => {
        await sql`update workspaces set track_key_hash = ${hashKey('track', 'never-committed')} where id = ${workspace.id}`.execute(
          trx,
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeDefined();
    expect(await workspaces.authenticateTrack(credentials.siteId, 'never-committed')).toBeUndefined();
  });

  it('sees a key another process wrote to the file at once', async () => {
    const { credentials, workspace } = await workspaces.create({ name: 'other process' });
    expect(await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeDefined();
    // Another connection stands for the CLI (`roster workspace rotate-keys --data …`).
    const other = new SqliteDatabase(sqliteFile(dir));
    try {
      other
        .prepare('update workspaces set track_key_hash = ? where id = ?')
        .run(hashKey('track', 'rotated-elsewhere'), workspace.id);
    } finally {
      other.close();
    }
    expect(await workspaces.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeUndefined();
    expect(await workspaces.authenticateTrack(credentials.siteId, 'rotated-elsewhere')).toBeDefined();
  });
});
