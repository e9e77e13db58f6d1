import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryBudgetError } from '../../src/lib/errors.js';
import { openStore } from '../../src/store/open-store.js';
import { budgetCheck } from '../../src/store/query-budget.js';
import type { Store } from '../../src/store/store.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { systemClock } from '../../src/lib/clock.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

/**
 * A costly read is stopped once its budget has passed, and on SQLite it runs
 * off the event loop, so writes and other work go on while it runs.
 */
describe.each(engines())('Store.boundedRead on %s', (engine) => {
  let store: Store;
  let dir: string;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-bounded-'));
    if (engine === 'postgres') database = await createTestDatabase('bounded');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url, queryBudgetMs: 60_000 });
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  /** A read that never ends on its own: it counts up for as long as it is let run. */
  const endless = () =>
    sql<{
      n: number;
    }>`with recursive c(x) as (select 1 union all select x + 1 from c where ${budgetCheck(store.dialect)})
      select count(*) as n from c`.compile(store.db);

  it('stops a read that runs past its budget with QueryBudgetError', async () => {
    const err = await store.boundedRead(endless(), 300).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QueryBudgetError);
    expect((err as QueryBudgetError).reason).toBe('timeout');
    expect((err as Error).message).toMatch(/ran longer than 300 ms and was stopped/);
    // The store goes on answering reads within budget.
    const ok = await store.boundedRead(sql<{ n: number }>`select 1 as n`.compile(store.db));
    expect(Number(ok[0]!.n)).toBe(1);
  });

  it('lets writes commit while a long read runs', async () => {
    const ws = new WorkspaceService(store, systemClock);
    let readDone = false;
    const read = store.boundedRead(endless(), 3_000).then(
      () => (readDone = true),
      () => (readDone = true),
    );
    // On SQLite this write would wait for the whole read if the read ran on the server's thread.
    await ws.create({ name: 'during the read' });
    const writeSawReadRunning = !readDone;
    await read;
    expect(writeSawReadRunning).toBe(true);
  });
});
