import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services/services.js';
import type { PersonChangeListener } from '../../src/services/track/context.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

/** The segments hook: called inside the write's transaction for every person a write changed. */
describe("the write pipeline's person-change steps", () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let auth: string;
  let step: PersonChangeListener = async () => {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-hook-'));
    store = await openStore({ dataDir: dir });
    // The test's own step in the write pipeline, after the segments engine: it runs `step`.
    ({ app, services } = await buildApp({
      store,
      onPersonChanged: (trx, workspace, pid) => step(trx, workspace, pid),
    }));
    const { credentials } = await services.workspaces.create({ siteId: 'hooksite' });
    auth = `Basic ${Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64')}`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (method: 'PUT' | 'DELETE' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, payload, headers: { authorization: auth } });

  it('sees each changed person, inside the transaction, and can veto the write', async () => {
    const seen: Array<{ pid: number; exists: boolean }> = [];
    step = async (trx, _ws, pid) => {
      const row = await trx.selectFrom('people').select('pid').where('pid', '=', pid).executeTakeFirst();
      seen.push({ pid, exists: row !== undefined });
    };
    await send('PUT', '/api/v1/customers/h1', { a: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.exists).toBe(true);
    const h1 = seen[0]!.pid;
    seen.length = 0;
    await send('PUT', '/api/v1/customers/h1', { a: 1 }); // nothing changed
    expect(seen).toEqual([]);
    await send('PUT', '/api/v1/customers/h2/devices', { device: { id: 'tok', platform: 'ios' } });
    await send('PUT', '/api/v1/customers/h1/devices', { device: { id: 'tok', platform: 'ios' } });
    expect(seen.slice(-2).map((s) => s.pid)).toContain(h1);
    expect(new Set(seen.slice(-2).map((s) => s.pid)).size).toBe(2); // the device moved: both people
    seen.length = 0;
    await send('DELETE', '/api/v1/customers/h1');
    expect(seen).toEqual([{ pid: h1, exists: false }]);

    // A listener that throws rolls the write back: nothing is acknowledged that was not committed.
    step = async () => {
      throw new Error('segments failed');
    };
    const r = await send('PUT', '/api/v1/customers/h3', { a: 1 });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ meta: { error: 'internal error' } });
    expect(
      await store.db.selectFrom('people').select('pid').where('id', '=', 'h3').executeTakeFirst(),
    ).toBeUndefined();
    step = async () => {};
  });
});
