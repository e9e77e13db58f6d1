import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient } from 'customerio-node';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from './helpers/seed.js';

describe('App API rate limit (per process token bucket)', () => {
  let server: ServerProcess;
  let seed: Seeder;

  beforeAll(async () => {
    server = await startServer({ env: { ROSTER_LOG_LEVEL: 'info', ROSTER_APP_API_RATE_LIMIT: '3' } });
    seed = await seeder(server);
  });

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  const get = (key = server.credentials.appApiKey) =>
    fetch(`${server.appUrl}/segments`, { headers: { authorization: `Bearer ${key}` } });

  it('answers 429 with Retry-After and the errors[] body past the server default', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await get();
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited!.json()).toEqual({
      errors: [
        {
          detail: expect.stringMatching(/^rate limited to 3 requests per 1s \(reference [0-9A-Z]{26}\)$/),
          status: '429',
          code: 'rate_limited',
        },
      ],
    });
  });

  it('does not count unauthenticated requests against the workspace', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 5; i++) expect((await get('wrong-key-wrong-key')).status).toBe(401);
    expect((await get()).status).toBe(200);
  });

  it('lets customerio-node retry after Retry-After and succeed', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    const results = await Promise.all(Array.from({ length: 5 }, () => api.listSegments()));
    expect(results.every((r) => Array.isArray((r as { segments: unknown[] }).segments))).toBe(true);
  }, 20_000);

  it('takes a per-workspace setting over the server default', async () => {
    await seed.store.db
      .updateTable('workspaces')
      .set({ settings: JSON.stringify({ appApiRateLimit: 50 }) })
      .where('id', '=', seed.workspaceId)
      .execute();
    await new Promise((r) => setTimeout(r, 1100));
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get().then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});
