import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from './helpers/seed.js';

interface Indexed {
  name: string;
  type: 'text' | 'number';
  status: 'building' | 'ready' | 'failed';
  error: string | null;
}

/**
 * Indexed attributes through a real server (docs/app-api.md "Indexed attributes"): add, build in
 * the background, list, search/count/segments answer the same, bad input, remove, and a build a
 * stopped server left unfinished completes after a restart.
 */
describe.each(engines())('App API indexed attributes (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;

  const app = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.appUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.credentials.appApiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const list = async () => (await app('GET', '/indexed_attributes')).body.indexed_attributes as Indexed[];

  beforeAll(async () => {
    server = await startServer({ engine });
    seed = await seeder(server);
    await seed.people(
      Array.from({ length: 3_000 }, (_, i) => ({
        id: `u${i}`,
        email: null,
        attributes: { plan: i === 1234 ? 'rare' : ['free', 'pro'][i % 2]!, age: i % 90 },
      })),
    );
  }, 120_000);

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  it('adds an index that builds in the background, then lists it ready', async () => {
    const r = await app('POST', '/indexed_attributes', { name: 'plan' });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.indexed_attribute).toMatchObject({ name: 'plan', type: 'text', error: null });
    expect(['building', 'ready']).toContain((r.body.indexed_attribute as Indexed).status);
    expect((await app('POST', '/indexed_attributes', { name: 'age', type: 'number' })).status).toBe(202);
    await expect
      .poll(async () => (await list()).map((x) => `${x.name}:${x.type}:${x.status}`), { timeout: 60_000 })
      .toEqual(['age:number:ready', 'plan:text:ready']);
    // Adding it again changes nothing.
    const again = await app('POST', '/indexed_attributes', { name: 'plan', type: 'text' });
    expect((again.body.indexed_attribute as Indexed).status).toBe('ready');
  });

  it('search, count and a new segment answer through the index', async () => {
    const search = await app('POST', '/customers?limit=10', {
      filter: { attribute: { field: 'plan', operator: 'eq', value: 'rare' } },
    });
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    expect(search.body.ids).toEqual(['u1234']);
    const count = await app('POST', '/segments/count', {
      conditions: {
        and: [
          { attribute: { field: 'age', operator: 'gte', value: '80' } },
          { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
        ],
      },
    });
    expect(count.status, JSON.stringify(count.body)).toBe(200);
    // ages 80..89 of 90, odd i (pro): 3,000 people → 10 ages × (3000/90 ≈ 33.3) / 2
    const expected = Array.from({ length: 3_000 }, (_, i) => i).filter(
      (i) => i % 90 >= 80 && i % 2 === 1 && i !== 1234,
    ).length;
    expect(count.body.count).toBe(expected);
    const seg = await app('POST', '/segments', {
      segment: {
        name: 'rare plan',
        conditions: { attribute: { field: 'plan', operator: 'eq', value: 'rare' } },
      },
    });
    expect(seg.status, JSON.stringify(seg.body)).toBe(200);
    const id = (seg.body.segment as { id: number }).id;
    const members = await app('GET', `/segments/${id}/membership`);
    expect(members.body.ids).toEqual(['u1234']);
  });

  it('writes sent while an index builds are answered, kept, and found through it once ready', async () => {
    // docs/scaling.md "Indexed attributes": built without stopping writes (PostgreSQL CREATE INDEX
    // CONCURRENTLY; SQLite on a worker thread, writes queued meanwhile). People written during the
    // build, new ones and changed ones, must be in the index the searches then read.
    const { siteId, apiKey } = server.credentials;
    const identify = (id: string, attributes: Record<string, unknown>) =>
      fetch(`${server.url}/api/v1/customers/${id}`, {
        method: 'PUT',
        headers: {
          authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(attributes),
      }).then((r) => r.status);
    const started = await app('POST', '/indexed_attributes', { name: 'region' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const statuses = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => identify(`w${i}`, { region: 'north' })),
      ...Array.from({ length: 40 }, (_, i) => identify(`u${i}`, { region: 'west' })),
    ]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await expect
      .poll(async () => (await list()).find((x) => x.name === 'region')?.status, { timeout: 60_000 })
      .toBe('ready');
    const north = await app('POST', '/customers?limit=100', {
      filter: { attribute: { field: 'region', operator: 'eq', value: 'north' } },
    });
    expect((north.body.ids as string[]).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `w${i}`).sort());
    const west = await app('POST', '/segments/count', {
      conditions: { attribute: { field: 'region', operator: 'eq', value: 'west' } },
    });
    expect(west.body.count).toBe(40);
    expect((await app('DELETE', '/indexed_attributes/region?type=text')).status).toBe(204);
  });

  it('refuses bad input with a JSON error naming the problem, and keeps serving', async () => {
    const missing = await app('POST', '/indexed_attributes', {});
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toMatch(/name/);
    const badType = await app('POST', '/indexed_attributes', { name: 'x', type: 'date' });
    expect(badType.status).toBe(400);
    expect(JSON.stringify(badType.body)).toMatch(/type/);
    const identifier = await app('POST', '/indexed_attributes', { name: 'email' });
    expect(identifier.status).toBe(400);
    expect(JSON.stringify(identifier.body)).toMatch(/identifier/);
    expect((await app('DELETE', '/indexed_attributes/nothing')).status).toBe(404);
    expect((await app('GET', '/indexed_attributes')).status).toBe(200);
  });

  it('removes an index; the same search still answers', async () => {
    expect((await app('DELETE', '/indexed_attributes/plan?type=text')).status).toBe(204);
    expect((await list()).map((x) => x.name)).toEqual(['age']);
    const search = await app('POST', '/customers?limit=10', {
      filter: { attribute: { field: 'plan', operator: 'eq', value: 'rare' } },
    });
    expect(search.body.ids).toEqual(['u1234']);
  });

  it('a build a stopped server left unfinished completes after a restart', async () => {
    // What a server that died mid-build leaves: the row still `building`, no index.
    await seed.store.db
      .insertInto('attribute_indexes')
      .values({
        workspace_id: seed.workspaceId,
        name: 'plan',
        kind: 'text',
        status: 'building',
        error: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await server.kill('SIGKILL');
    server = await server.restart();
    await expect
      .poll(async () => (await list()).find((x) => x.name === 'plan')?.status, { timeout: 60_000 })
      .toBe('ready');
  });
});
