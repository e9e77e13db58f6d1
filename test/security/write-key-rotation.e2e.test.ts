import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startPipelinesServer, type PipelinesServer } from '../pipelines/helpers.js';
import { bearer, call } from './helpers.js';

/**
 * Rotating the Pipelines write keys through the App API (docs/pipelines.md "Write keys"): the old
 * key keeps working for the overlap asked for, then (or at once without one) stops.
 */
describe.each(engines())('write-key rotation through the App API on %s', (engine) => {
  let s: PipelinesServer;
  let n = 0;
  const rotate = (body: unknown) =>
    call(s.server, 'POST', '/v1/workspace/rotate-keys', bearer(s.server.credentials), body);
  const identify = async (key: string) =>
    (
      await s.post(
        '/v1/identify',
        { userId: `wk-${engine}`, traits: { n: ++n }, messageId: `wk-${engine}-${n}` },
        { headers: { authorization: s.basic(key) } },
      )
    ).status;

  beforeAll(async () => {
    s = await startPipelinesServer(engine);
  }, 60_000);
  afterAll(async () => {
    await s?.server.cleanup();
  });

  it('keeps the old public key for the overlap, and drops it at once on the next rotation', async () => {
    const first = s.writeKey;
    expect(await identify(first)).toBe(200);
    const before = Math.floor(Date.now() / 1000);
    const r = await rotate({ write: true, overlap_seconds: 3600 });
    expect(r.status).toBe(200);
    const second = r.json.write_key as string;
    expect(second).toMatch(/^wk_/);
    expect(r.json).not.toHaveProperty('api_key');
    expect(r.json.previous_write_keys_retire_at).toBeGreaterThanOrEqual(before + 3600);
    expect(await identify(second)).toBe(200);
    expect(await identify(first)).toBe(200);

    const again = await rotate({ write: true });
    expect(again.status).toBe(200);
    const third = again.json.write_key as string;
    expect(await identify(third)).toBe(200);
    // No overlap this time: the second stops at once, and the first (rotated out earlier) too.
    expect(await identify(second)).toBe(401);
    expect(await identify(first)).toBe(401);
    // The server key was not touched; the tracking key neither.
    expect(await identify(s.serverWriteKey)).toBe(200);
    const track = await call(
      s.server,
      'PUT',
      `/api/v1/customers/wk-track-${engine}`,
      `Basic ${Buffer.from(`${s.server.credentials.siteId}:${s.server.credentials.apiKey}`).toString('base64')}`,
      { a: 1 },
    );
    expect(track.status).toBe(200);
  });

  it('rotates the server write key with an overlap', async () => {
    const old = s.serverWriteKey;
    const r = await rotate({ server_write: true, overlap_seconds: 60 });
    expect(r.status).toBe(200);
    const fresh = r.json.server_write_key as string;
    expect(fresh).toMatch(/^swk_/);
    expect(await identify(fresh)).toBe(200);
    expect(await identify(old)).toBe(200);
  });

  it('refuses what it cannot do with a JSON error and changes no key', async () => {
    for (const [body, field] of [
      [{}, '/'],
      [{ write: true, overlap_seconds: -1 }, '/overlap_seconds'],
      [{ write: true, overlap_seconds: 1.5 }, '/overlap_seconds'],
      [{ write: true, overlap_seconds: 10 * 365 * 86400 }, '/overlap_seconds'],
      [{ track: true, overlap_seconds: 60 }, '/overlap_seconds'],
      [{ write: 'yes' }, '/write'],
    ] as const) {
      const r = await rotate(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.json), JSON.stringify(body)).toContain(field);
    }
    // Still rotatable afterwards: nothing was half-changed.
    const current = await rotate({ write: true, overlap_seconds: 60 });
    expect(await identify(current.json.write_key as string)).toBe(200);
  });
});
