import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { acquireLease, leaseHolder } from '../../src/store/leases.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

describe.each(engines())('scheduler lease (%s)', (engine) => {
  let store: Store;
  let dataDir: string;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'roster-lease-'));
    if (engine === 'postgres') database = await createTestDatabase('lease');
    store = await openStore({ databaseUrl: database?.url, dataDir });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('one holder at a time; renewable by its holder; free for others once expired', async () => {
    expect(await acquireLease(store.db, 'l', 'a', 1000, 2000)).toBe(true);
    expect(await acquireLease(store.db, 'l', 'b', 1500, 2500)).toBe(false);
    expect(await acquireLease(store.db, 'l', 'a', 1500, 3000)).toBe(true);
    expect(await leaseHolder(store.db, 'l')).toEqual({ holder: 'a', expiresAtMs: 3000 });
    expect(await acquireLease(store.db, 'l', 'b', 3001, 4000)).toBe(true);
    expect(await acquireLease(store.db, 'l', 'a', 3002, 5000)).toBe(false);
    const racers = await Promise.all(['x', 'y', 'z'].map((h) => acquireLease(store.db, 'race', h, 0, 10)));
    expect(racers.filter(Boolean)).toHaveLength(1);
  });
});
