import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../packages/server/src/http/app.js';
import { systemClock } from '../../packages/server/src/lib/clock.js';
import { WorkspaceService } from '../../packages/server/src/services/workspaces.js';
import { openStore } from '../../packages/server/src/store/open-store.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';

/**
 * docs/security.md "Storage full": when the store runs out of space, writes answer 503 with a
 * clear reason and `Retry-After` (not 500 "internal error"), `/healthz` says so, and both recover
 * once space is back. SQLite is really filled (a database size cap: `max_page_count`);
 * PostgreSQL's `disk_full` error (53100) is raised by the server itself, from a trigger, as it
 * would be by a full disk.
 */
describe.each(engines())('storage full on %s', (engine) => {
  let store: Store;
  let app: FastifyInstance;
  let dir: string;
  let database: TestDatabase | undefined;
  let auth: string;

  const fill = async () => {
    if (engine === 'sqlite') {
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(store.db);
      await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(store.db);
    } else {
      await sql`create or replace function roster_test_disk_full() returns trigger as $$
        begin raise exception 'could not extend file: No space left on device' using errcode = '53100'; end
        $$ language plpgsql`.execute(store.db);
      await sql`create trigger roster_test_disk_full before insert or update on people
        for each row execute function roster_test_disk_full()`.execute(store.db);
    }
  };
  const free = async () => {
    if (engine === 'sqlite') await sql.raw('pragma max_page_count = 1073741823').execute(store.db);
    else await sql`drop trigger roster_test_disk_full on people`.execute(store.db);
  };
  const identify = (id: string, body: unknown = { plan: 'x', pad: 'p'.repeat(900) }) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${id}`,
      headers: { authorization: auth, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-full-'));
    if (engine === 'postgres') database = await createTestDatabase();
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    ({ app } = await buildApp({ store }));
    const ws = await new WorkspaceService(store, systemClock).create({});
    auth = `Basic ${Buffer.from(`${ws.credentials.siteId}:${ws.credentials.apiKey}`).toString('base64')}`;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes answer 503 storage_full with Retry-After, health is degraded, and both recover', async () => {
    expect((await identify('before')).statusCode).toBe(200);
    await fill();
    let full;
    // SQLite fills up within a few writes; PostgreSQL refuses the first.
    for (let i = 0; i < 500; i++) {
      full = await identify(`full-${i}`);
      if (full.statusCode !== 200) break;
    }
    expect(full!.statusCode, full!.body).toBe(503);
    expect(full!.headers['retry-after']).toBe('30');
    expect(JSON.parse(full!.body)).toEqual({ meta: { error: expect.stringMatching(/^storage is full/) } });
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'degraded', storage: 'full' });
    // Reads still work.
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/accounts/region', headers: { authorization: auth } }))
        .statusCode,
    ).toBe(200);

    await free();
    expect((await identify('after')).statusCode).toBe(200);
    const healed = await app.inject({ method: 'GET', url: '/healthz' });
    expect(healed.statusCode).toBe(200);
    expect(JSON.parse(healed.body)).toMatchObject({ status: 'ok' });
  });

  // Over a real connection identify is answered by the Track fast lane (http/fast-lane.ts), not by
  // Fastify's routes: its success must clear the degraded health as the route's does.
  it('recovers over real connections too, where the Track fast lane answers identify', async () => {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const put = async (id: string) => {
      const res = await fetch(`${url}/api/v1/customers/${id}`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ plan: 'x', pad: 'p'.repeat(900) }),
      });
      return { status: res.status, body: await res.text() };
    };
    const health = async () => (await fetch(`${url}/healthz`)).status;
    await fill();
    let full;
    for (let i = 0; i < 500; i++) {
      full = await put(`wire-full-${i}`);
      if (full.status !== 200) break;
    }
    expect(full!.status, full!.body).toBe(503);
    expect(await health()).toBe(503);
    await free();
    expect((await put('wire-after')).status).toBe(200);
    expect(await health()).toBe(200);
  });
});
