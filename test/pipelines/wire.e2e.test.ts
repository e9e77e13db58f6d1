import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startPipelinesServer, type IngestErrorView, type PipelinesServer } from './helpers.js';

/**
 * The Pipelines wire as the mobile SDKs and raw HTTP users send it (docs/pipelines.md "Pointing each client at Roster"),
 * against a real server process, read back through the App API.
 */
describe.each(engines())('Pipelines API wire (%s)', (engine) => {
  let s: PipelinesServer;

  beforeAll(async () => {
    s = await startPipelinesServer(engine);
  });
  afterAll(async () => {
    await s?.server.cleanup();
  });

  it('Basic auth batch: identify and track land on the person, created_at in unix seconds', async () => {
    const res = await s.post(
      '/v1/batch',
      {
        batch: [
          {
            type: 'identify',
            userId: 'w1',
            traits: { email: 'w1@example.com', createdAt: '2024-01-01T00:00:00Z', plan: 'pro' },
            messageId: 'w1-identify',
            timestamp: '2024-05-01T10:00:00.000Z',
          },
          {
            type: 'track',
            userId: 'w1',
            event: 'Order Placed',
            properties: { total: 12.5 },
            messageId: 'w1-order',
          },
        ],
      },
      { headers: { authorization: s.basic() } },
    );
    expect(res).toMatchObject({ status: 200, json: {} });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const person = await s.person('w1');
    expect(person?.attributes).toMatchObject({
      email: 'w1@example.com',
      plan: 'pro',
      created_at: '1704067200',
    });
    const acts = await s.activities('w1');
    expect(acts.find((a) => a.type === 'event')).toMatchObject({
      name: 'Order Placed',
      data: { total: 12.5 },
    });
    expect(acts.every((a) => String(a.source ?? 'pipelines').startsWith('pipelines'))).toBe(true);
  });

  it("Android's shape: text/plain, gzip, key in the body, no Authorization", async () => {
    const res = await s.post(
      '/v1/b',
      {
        batch: [{ type: 'identify', userId: 'android1', traits: { plan: 'free' }, messageId: 'a-1' }],
        sentAt: new Date().toISOString(),
        writeKey: s.writeKey,
      },
      { headers: { 'content-type': 'text/plain' }, gzip: true },
    );
    expect(res.status).toBe(200);
    expect((await s.person('android1'))?.attributes.plan).toBe('free');
  });

  it("iOS's shape: newline-separated batch file, charset=utf-8, key in the body", async () => {
    const body =
      `{ "batch": [\n${JSON.stringify({ type: 'identify', userId: 'ios1', traits: { a: 1 }, messageId: 'i-1' })}\n,` +
      `${JSON.stringify({ type: 'screen', userId: 'ios1', name: 'Home', properties: { x: 1 }, messageId: 'i-2' })}\n],` +
      `"sentAt":"${new Date().toISOString()}","writeKey":"${s.writeKey}"}`;
    const res = await s.post('/v1/b', body, {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(200);
    const acts = await s.activities('ios1');
    expect(acts.find((a) => a.type === 'screen')).toMatchObject({ name: 'Home' });
  });

  it('RudderStack form content type with gzip, and a Basic value without the colon', async () => {
    const res = await s.post(
      '/v1/batch',
      { batch: [{ type: 'track', userId: 'r1', event: 'Signed Up', properties: {}, messageId: 'r-1' }] },
      {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(s.writeKey).toString('base64')}`,
        },
        gzip: true,
      },
    );
    expect(res.status).toBe(200);
    expect((await s.activities('r1')).some((a) => a.name === 'Signed Up')).toBe(true);
  });

  it('single calls at the long and one-letter paths; the path decides the type', async () => {
    for (const [path, body] of [
      ['/v1/identify', { userId: 'single1', traits: { via: 'identify' }, type: 'track' }],
      ['/v1/t', { userId: 'single1', event: 'Clicked', properties: { n: 1 } }],
      ['/v1/p', { userId: 'single1', properties: { url: 'https://x.test/pricing' }, name: 'Pricing' }],
      ['/v1/s', { userId: 'single1', name: 'Settings' }],
    ] as const) {
      const res = await s.post(
        path,
        { ...body, writeKey: s.writeKey },
        { headers: { 'content-type': 'text/plain' } },
      );
      expect(res.status, path).toBe(200);
    }
    expect((await s.person('single1'))?.attributes.via).toBe('identify');
    const acts = await s.activities('single1');
    expect(acts.find((a) => a.type === 'page')).toMatchObject({ url: 'https://x.test/pricing' });
    expect(acts.find((a) => a.type === 'screen')).toMatchObject({ name: 'Settings' });
    expect(acts.find((a) => a.type === 'event')).toMatchObject({ name: 'Clicked' });
  });

  it('keys: unknown or missing is 401 always; the Track pair is no write key; the write key opens nothing else', async () => {
    const batch = { batch: [{ type: 'identify', userId: 'nobody', traits: {} }] };
    const unknown = await s.post('/v1/batch', batch, {
      headers: { authorization: s.basic('wk_nope_nope_nope_nope') },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toMatchObject({ meta: { error: expect.stringContaining('Unauthorized') } });
    expect((await s.post('/v1/batch', batch)).status).toBe(401);
    expect((await s.post('/v1/batch', { ...batch, writeKey: 'wk_wrong_wrong_wrong' })).status).toBe(401);
    const { siteId, apiKey } = s.server.credentials;
    const trackPair = `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`;
    expect((await s.post('/v1/batch', batch, { headers: { authorization: trackPair } })).status).toBe(401);
    const trackWithWriteKey = await fetch(`${s.url}/api/v1/customers/nobody`, {
      method: 'PUT',
      headers: { authorization: s.basic(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(trackWithWriteKey.status).toBe(401);
    const appWithWriteKey = await fetch(`${s.url}/v1/customers/nobody/attributes`, {
      headers: { authorization: `Bearer ${s.writeKey}` },
    });
    expect(appWithWriteKey.status).toBe(401);
    expect(await s.person('nobody')).toBeUndefined();
    // The server write key opens the Pipelines API too.
    const server = await s.post(
      '/v1/batch',
      { batch: [{ type: 'identify', userId: 'srv1', traits: { k: 'server' } }] },
      { headers: { authorization: s.basic(s.serverWriteKey) } },
    );
    expect(server.status).toBe(200);
    expect((await s.person('srv1'))?.attributes.k).toBe('server');
  });

  it('a repeated messageId is accepted and stored once (clients retry whole batches)', async () => {
    const batch = {
      batch: [
        { type: 'track', userId: 'dup1', event: 'Paid', properties: { n: 1 }, messageId: 'dup-msg-1' },
        { type: 'track', userId: 'dup1', event: 'Paid', properties: { n: 2 }, messageId: 'dup-msg-2' },
      ],
    };
    for (let i = 0; i < 3; i++)
      expect((await s.post('/v1/batch', batch, { headers: { authorization: s.basic() } })).status).toBe(200);
    const paid = (await s.activities('dup1')).filter((a) => a.type === 'event');
    expect(paid.map((a) => a.data.n).sort()).toEqual([1, 2]);
  });

  it('permissive by default: a bad event is dropped alone and listed; X-Strict-Mode: 1 answers 400 and writes nothing', async () => {
    const batch = {
      batch: [
        { type: 'track', event: 'No one', properties: {}, messageId: 'bad-1' },
        { type: 'track', userId: 'perm1', event: 'Fine', properties: {}, messageId: 'ok-1' },
        { type: 'teleport', userId: 'perm1', messageId: 'bad-2' },
        {
          type: 'track',
          userId: 'perm1',
          event: 'Huge',
          properties: { blob: 'x'.repeat(40_000) },
          messageId: 'bad-3',
        },
      ],
    };
    const permissive = await s.post('/v1/batch', batch, { headers: { authorization: s.basic() } });
    expect(permissive).toMatchObject({ status: 200, json: {} });
    expect((await s.activities('perm1')).map((a) => a.name)).toContain('Fine');
    const errors = await s.app<{ errors: IngestErrorView[] }>('/v1/pipelines/errors?limit=10');
    expect(errors.status).toBe(200);
    const mine = errors.json.errors.filter((e) => String(e.message_id).startsWith('bad-'));
    expect(mine.map((e) => e.message_id).sort()).toEqual(['bad-1', 'bad-2', 'bad-3']);
    expect(mine.find((e) => e.message_id === 'bad-3')?.message).toContain('32 KB');

    const strict = await s.post(
      '/v1/batch',
      {
        batch: [
          { type: 'track', userId: 'strict1', event: 'Fine', properties: {} },
          { type: 'track', event: 'No one', properties: {} },
        ],
      },
      { headers: { authorization: s.basic(), 'x-strict-mode': '1' } },
    );
    expect(strict.status).toBe(400);
    expect(strict.json).toEqual({ meta: { errors: [expect.stringContaining('userId')] } });
    expect(await s.person('strict1')).toBeUndefined();
  });

  it('unparseable JSON or gzip is 400, a body over 1 MB decompressed is 413, and the server keeps serving', async () => {
    const headers = { authorization: s.basic() };
    const badJson = await s.post('/v1/batch', '{"batch":[', { headers });
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ meta: { errors: [expect.stringContaining('JSON')] } });
    const badGzip = await s.post('/v1/batch', 'not gzip at all', {
      headers: { ...headers, 'content-encoding': 'gzip' },
    });
    expect(badGzip.status).toBe(400);
    // A gzip bomb: 20 MB of spaces compress to ~20 KB; refused after 1 MB of output.
    const bomb = await s.post('/v1/batch', `{"batch":[]${' '.repeat(20 * 1024 * 1024)}}`, {
      headers,
      gzip: true,
    });
    expect(bomb.status).toBe(413);
    expect(bomb.json).toMatchObject({ meta: { error: expect.stringContaining('too large') } });
    const fine = await s.post(
      '/v1/batch',
      { batch: [{ type: 'identify', userId: 'after1', traits: {} }] },
      { headers },
    );
    expect(fine.status).toBe(200);
  });

  it('settings: the destination with apiHost for a known key, 404 for an unknown one, CORS for browsers', async () => {
    const res = await fetch(`${s.url}/v1/projects/${s.writeKey}/settings`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as { integrations: Record<string, unknown>; metrics: unknown };
    const host = new URL(s.url).host;
    expect(body.integrations['Customer.io Data Pipelines']).toEqual({
      apiKey: s.writeKey,
      apiHost: `${host}/v1`,
      protocol: 'http',
    });
    expect(body.metrics).toEqual({ sampleRate: 0 });
    expect((await fetch(`${s.url}/v1/projects/wk_unknown_key_123456/settings`)).status).toBe(404);
    const preflight = await fetch(`${s.url}/v1/t`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
  });
});
