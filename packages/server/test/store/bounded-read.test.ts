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
import pg from 'pg';
import {
  createTestDatabase,
  engines,
  postgresAvailable,
  TEST_DATABASE_URL,
  type TestDatabase,
} from '../../../../test/helpers/postgres.js';
import { openStatementLog, type StatementLog } from '../../../../test/helpers/statement-log.js';

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

/**
 * On PostgreSQL a bounded read is one round trip (`SET LOCAL statement_timeout` and the read in one
 * simple-protocol query, counted in PostgreSQL's own statement log), its timeout does not outlive
 * it on the pooled connection, and text in the SQL that only looks like a parameter stays as it is.
 */
describe.runIf(postgresAvailable())('Store.boundedRead on postgres: one round trip', () => {
  let store: Store;
  let dir: string;
  let database: TestDatabase;
  let log: StatementLog | string;
  let dbName: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-bounded-pg-'));
    database = await createTestDatabase('boundedtrips');
    dbName = new URL(database.url).pathname.slice(1);
    log = await openStatementLog(TEST_DATABASE_URL!);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // Applies to the connections the store opens from now on.
    await admin.query(`alter database "${dbName}" set log_statement = 'all'`);
    await admin.end();
    store = await openStore({ dataDir: dir, databaseUrl: database.url, queryBudgetMs: 60_000 });
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
    if (typeof log !== 'string') await log?.close();
  });

  it('sends the timeout and the read as one statement', async (ctx) => {
    if (typeof log === 'string') {
      if (process.env.CI) throw new Error(log);
      ctx.skip();
      return;
    }
    const mark = await log.mark();
    const rows = await store.boundedRead(
      sql<{ n: number }>`select ${41}::int + 1 as n`.compile(store.db),
      250,
    );
    expect(rows).toEqual([{ n: 42 }]);
    const sent = (await log.sinceFull(mark, dbName)).filter((s) => !/segment_catchup/.test(s));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/set local statement_timeout = 250;\s+select '41'::int \+ 1 as n/);
  });

  it('leaves no timeout on the connection, after a read that finished or one that was stopped', async () => {
    await store.boundedRead(sql`select 1 as n`.compile(store.db), 500);
    const stopped = await store.boundedRead(sql`select pg_sleep(5) as n`.compile(store.db), 50).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(QueryBudgetError);
    // Every pooled connection (ten at most) answers with no timeout, and runs a slow statement whole.
    const timeouts = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.db.connection().execute(async (conn) => {
          const t = (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(conn)).rows[0]!
            .statement_timeout;
          await sql`select pg_sleep(0.1)`.execute(conn);
          return t;
        }),
      ),
    );
    expect(new Set(timeouts)).toEqual(new Set(['0']));
  });

  it('keeps text that looks like a parameter inside a literal or a quoted name', async () => {
    const rows = await store.boundedRead(
      sql<{
        a: string;
        b: string;
        c: string;
      }>`select ${sql.raw(`'$1 it''s $2'`)} as a, ${'x'}::text as b, ${"y'$1"}::text as ${sql.raw('"c$1"')}`.compile(
        store.db,
      ),
    );
    expect(rows).toEqual([{ a: "$1 it's $2", b: 'x', c$1: "y'$1" }]);
  });
});
