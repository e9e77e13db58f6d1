import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { startLoggedServer, type LoggedServer, type StatementLog } from '../helpers/statement-log.js';

/**
 * An idle PostgreSQL server issues at most one statement per second (docs/scaling.md "Background
 * work"): its delivery worker
 * and broadcast runner wake on NOTIFY (migration 91) or on a time they scheduled, and otherwise
 * look every 10 s. Counted from PostgreSQL's statement log over a window of wall-clock time — the
 * one place a test here waits for time rather than a condition, because a rate is per time.
 */
const WINDOW_MS = 5_000;

describe.runIf(postgresAvailable())('an idle server on PostgreSQL', () => {
  let logged: LoggedServer | undefined;
  let server: ServerProcess;
  let log: StatementLog | undefined;
  let dbName: string;

  beforeAll(async () => {
    logged = await startLoggedServer({ name: 'idle', skipping: 'the idle count' });
    if (logged) ({ server, log, database: dbName } = logged);
  });
  afterAll(() => logged?.close());

  it('issues at most one statement per second', async (ctx) => {
    if (!log) return ctx.skip();
    // One request, so start-up (migrations, the first claims) is behind us.
    const res = await fetch(`${server.url}/api/v1/customers/someone`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from(`${server.credentials.siteId}:${server.credentials.apiKey}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const mark = await log.mark();
    await sleep(WINDOW_MS);
    const statements = await log.since(mark, dbName);
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(WINDOW_MS / 1000);
  });
});
