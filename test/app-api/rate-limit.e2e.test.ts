import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient } from 'customerio-node';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from './helpers/seed.js';
import { systemClock } from '../../packages/server/src/lib/clock.js';
import { WorkspaceService } from '../../packages/server/src/services/workspaces.js';

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
    // The bucket starts full: a second's worth of requests (3) pass one after another.
    const first: number[] = [];
    for (let i = 0; i < 3; i++) first.push((await get()).status);
    expect(first).toEqual([200, 200, 200]);
    // Then a burst: 30 requests at 3/s would need 10 s to pass, however slow this machine is.
    const burst = await Promise.all(Array.from({ length: 30 }, () => get()));
    const limited = burst.find((res) => res.status === 429);
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited!.json()).toEqual({
      errors: [
        {
          detail: expect.stringMatching(/^rate limited to 3 requests per 1s \(reference [0-9A-Z]{26}\)$/),
          status: '429',
          code: 'rate_limited',
        },
      ],
      // customerio-node reads meta.error for its error message.
      meta: {
        error: expect.stringMatching(/^rate limited to 3 requests per 1s \(reference [0-9A-Z]{26}\)$/),
      },
    });
  });

  /** A workspace of its own, whose bucket (made at its first request) is full. */
  const freshKey = async (name: string) =>
    (await new WorkspaceService(seed.store, systemClock).create({ name })).credentials.appApiKey;

  it('does not count unauthenticated requests against the workspace', async () => {
    const key = await freshKey('unauthenticated');
    for (let i = 0; i < 5; i++) expect((await get('wrong-key-wrong-key')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await get(key)).status).toBe(200);
  });

  it('lets customerio-node retry after Retry-After and succeed', async () => {
    const api = new APIClient(await freshKey('retries'), { url: server.appUrl });
    const results = await Promise.all(Array.from({ length: 5 }, () => api.listSegments()));
    expect(results.every((r) => Array.isArray((r as { segments: unknown[] }).segments))).toBe(true);
  }, 20_000);

  it("a workspace's setting can lower the server's limit but never lift it", async () => {
    const setRate = (rate: number) =>
      seed.store.db
        .updateTable('workspaces')
        .set({ settings: JSON.stringify({ appApiRateLimit: rate }) })
        .where('id', '=', seed.workspaceId)
        .execute();
    const burst = async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get()));
      const limited = answers.find((r) => r.status === 429);
      return limited && ((await limited.json()) as { errors: Array<{ detail: string }> }).errors[0]!.detail;
    };
    // Through the App API, as a workspace's key holder would.
    const lift = await fetch(`${server.appUrl}/workspace`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${server.credentials.appApiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ settings: { appApiRateLimit: 1_000_000 } }),
    });
    expect([200, 429]).toContain(lift.status);
    await setRate(1_000_000);
    // Workspaces are read on every request: 20 at once still meet the server's 3/s.
    expect(await burst()).toMatch(/^rate limited to 3 requests per 1s/);
    await setRate(1);
    expect(await burst()).toMatch(/^rate limited to 1 requests per 1s/);
  });
});
