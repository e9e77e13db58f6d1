import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { newCioId } from '../../src/lib/cio-id.js';
import type { Services } from '../../src/services/services.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { personRow } from '../store/people-rows.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

const NOW_MS = 1_790_000_000_123;

describe('newCioId', () => {
  it('is 16 hex characters: the second, then a count that rises within it', () => {
    const a = newCioId(1_790_000_000);
    const b = newCioId(1_790_000_000);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a.slice(0, 8)).toBe((1_790_000_000).toString(16));
    expect(parseInt(b.slice(8), 16)).toBe(parseInt(a.slice(8), 16) + 1);
    expect(newCioId(1_790_000_001) > b).toBe(true);
  });
});

// Another process may create a person in the same second and take the id this one would make next.
describe.each(engines())('cio_ids on %s', (engine) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let auth: string;
  let workspaceId: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-cio-'));
    if (engine === 'postgres') database = await createTestDatabase('cio');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    ({ app, services } = await buildApp({ store, clock: { now: () => NOW_MS } }));
    const { credentials, workspace } = await services.workspaces.create({ siteId: 'ciosite' });
    workspaceId = workspace.id;
    auth = `Basic ${Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64')}`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  const identify = (id: string) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${id}`,
      payload: {},
      headers: { authorization: auth },
    });
  const person = (id: string) =>
    store.db.selectFrom('people').select(['pid', 'cio_id']).where('id', '=', id).executeTakeFirstOrThrow();

  it('an id taken by another process is skipped: the person is created once, under a free id', async () => {
    expect((await identify('first')).statusCode).toBe(200);
    const first = await person('first');
    expect(first.cio_id.slice(0, 8)).toBe(Math.floor(NOW_MS / 1000).toString(16));
    // The ids this process would make next, taken by "another process".
    const next = (k: number) =>
      first.cio_id.slice(0, 8) + (parseInt(first.cio_id.slice(8), 16) + k).toString(16).padStart(8, '0');
    const taken = [1, 2, 3].map(next);
    for (const [i, cio] of taken.entries())
      await store.db
        .insertInto('people')
        .values(personRow(workspaceId, { cio_id: cio, id: `other-${i}` }))
        .execute();

    const r = await identify('second');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({});
    const second = await person('second');
    expect(second.cio_id).toMatch(/^[0-9a-f]{16}$/);
    expect(taken).not.toContain(second.cio_id);
    const history = await store.db
      .selectFrom('activities')
      .select('type')
      .where('person_pid', '=', second.pid)
      .execute();
    expect(history.map((a) => a.type)).toEqual(['profile_create']);
    // The taken rows are untouched.
    const others = await store.db
      .selectFrom('people')
      .select('cio_id')
      .where('id', 'like', 'other-%')
      .execute();
    expect(others.map((o) => o.cio_id).sort()).toEqual(taken);
    // And the next person follows the new start.
    expect((await identify('third')).statusCode).toBe(200);
    expect((await person('third')).cio_id > second.cio_id).toBe(true);
  });
});
