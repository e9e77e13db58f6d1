import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { basic, bearer, call } from './helpers.js';

/**
 * Track values (docs/track-api.md §4): far-future timestamps once froze attributes and `1e309`
 * deleted an attribute; both are refused with a 400 naming the field, and nothing written.
 */
describe.each(engines())('timestamps and numbers on the Track API on %s', (engine) => {
  let server: ServerProcess;
  const put = (id: string, body: unknown) =>
    call(server, 'PUT', `/api/v1/customers/${id}`, basic(server.credentials), body);
  const attributes = async (id: string) =>
    (
      (await call(server, 'GET', `/v1/customers/${id}/attributes`, bearer(server.credentials))).json
        .customer as { attributes: Record<string, unknown> }
    ).attributes;

  beforeAll(async () => {
    server = await startServer({ engine });
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
  });

  it('a timestamp far in the future is refused and cannot freeze an attribute', async () => {
    expect((await put('fz', { plan: 'free' })).status).toBe(200);
    // 253402300800000 is read as milliseconds: the year 10000.
    const far = await put('fz', { plan: 'frozen', _timestamp: 253402300800000 });
    expect(far.status).toBe(400);
    expect(far.json).toEqual({
      meta: { errors: [expect.stringMatching(/_timestamp .* more than a day ahead/)] },
    });
    expect((await put('fz', { plan: 'pro' })).status).toBe(200);
    expect(await attributes('fz')).toMatchObject({ plan: 'pro' });

    const v2 = await call(server, 'POST', '/api/v2/entity', basic(server.credentials), {
      type: 'person',
      action: 'identify',
      identifiers: { id: 'fz' },
      timestamp: 99999999999,
      attributes: { plan: 'v2-frozen' },
    });
    expect(v2.status).toBe(400);
    expect(v2.json).toMatchObject({ errors: [{ field: 'timestamp', reason: 'invalid' }] });
    // Past 2^53: sent as the text a client would send.
    const event = await call(
      server,
      'POST',
      '/api/v1/customers/fz/events',
      basic(server.credentials),
      '{"name":"far","timestamp":9007199254740993}',
    );
    expect(event.status).toBe(400);
    const device = await call(server, 'PUT', '/api/v1/customers/fz/devices', basic(server.credentials), {
      device: { id: 'fz-token', platform: 'ios', last_used: 99999999999 },
    });
    expect(device.status).toBe(400);
    expect(await attributes('fz')).toMatchObject({ plan: 'pro' });
  });

  it('a clock up to a day ahead is accepted as given; beyond that refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await put('skew', { plan: 'ahead', _timestamp: now + 23 * 3600 })).status).toBe(200);
    expect((await put('skew', { plan: 'too far', _timestamp: now + 25 * 3600 })).status).toBe(400);
    expect(await attributes('skew')).toMatchObject({ plan: 'ahead' });
  });

  it('1e309 and -1e309 are refused, not stored as a removal', async () => {
    expect((await put('inf', { plan: 'gold', nested: { a: 1 } })).status).toBe(200);
    for (const raw of ['{"plan":1e309}', '{"plan":-1e999}', '{"nested":{"a":1e309}}', '{"list":[1,1e400]}']) {
      const r = await put('inf', raw);
      expect(r.status, raw).toBe(400);
      expect(r.text, raw).toMatch(/not a finite number/);
    }
    const v2 = await call(
      server,
      'POST',
      '/api/v2/entity',
      basic(server.credentials),
      '{"type":"person","action":"identify","identifiers":{"id":"inf"},"attributes":{"plan":1e309}}',
    );
    expect(v2.status).toBe(400);
    const kept = await attributes('inf');
    expect(kept.plan).toBe('gold');
    // The App API shows values as Customer.io does: objects as their JSON text.
    expect(JSON.stringify(kept.nested)).toContain('1');
  });
});
