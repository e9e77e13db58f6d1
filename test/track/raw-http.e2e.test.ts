import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { basic, openServerStore, personBy, raw, startTrackServer } from './helpers.js';

/** What no client sends: malformed bodies, bad auth, odd encodings, unknown routes (SQLite; wire only). */
describe('Track API over raw HTTP', () => {
  let server: ServerProcess;
  let store: Store;
  let call: ReturnType<typeof raw>;

  beforeAll(async () => {
    server = await startTrackServer({ engine: 'sqlite' });
    store = await openServerStore(server);
    call = raw(server);
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  it('answers 200 with `{}` + newline as application/json; charset=utf-8 and CORS headers', async () => {
    const r = await call('PUT', '/api/v1/customers/wire-1', { a: 1 });
    expect(r.status).toBe(200);
    expect(r.text).toBe('{}\n');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('401 with meta.error for missing, wrong or malformed credentials', async () => {
    for (const authorization of ['', 'Basic Zm9vOmJhcg==', 'Bearer abc', 'Basic !!!']) {
      const r = await call('PUT', '/api/v1/customers/x', {}, { authorization });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ meta: { error: 'Unauthorized request' } });
    }
  });

  it('accepts URL-safe base64 credentials and a lower-case scheme', async () => {
    const std = basic(server.credentials.siteId, server.credentials.apiKey).slice(6);
    const urlSafe = std.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const r = await call('PUT', '/api/v1/customers/urlsafe', {}, { authorization: `basic ${urlSafe}` });
    expect(r.status).toBe(200);
  });

  it('metrics, push events and unsubscribe need no auth', async () => {
    const none = { authorization: '' };
    expect(
      (await call('POST', '/api/v1/metrics', { delivery_id: 'd1', metric: 'opened' }, none)).status,
    ).toBe(200);
    expect(
      (await call('POST', '/push/events', { delivery_id: 'd1', event: 'opened', device_id: 't' }, none))
        .status,
    ).toBe(200);
    expect(
      (await call('POST', '/api/v1/push/events', { delivery_id: 'd1', event: 'delivered' }, none)).status,
    ).toBe(200);
    expect((await call('POST', '/unsubscribe/d1', { unsubscribe: true }, none)).status).toBe(200);
  });

  it('400 meta.errors for malformed JSON, non-object bodies and wrong types, naming the field', async () => {
    let r = await call('PUT', '/api/v1/customers/bad', '{"a":');
    expect(r.status).toBe(400);
    expect(r.json.meta).toEqual({ errors: [expect.stringContaining('not valid JSON')] });
    r = await call('PUT', '/api/v1/customers/bad', '[1,2]');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ meta: { errors: ['request body must be a JSON object'] } });
    r = await call('PUT', '/api/v1/customers/bad/devices', { device: { id: 'tok' } });
    expect(r.json).toEqual({ meta: { errors: ['device platform is required'] } });
    r = await call('PUT', '/api/v1/customers/bad/devices', {});
    expect(r.json).toEqual({ meta: { errors: ['device is required'] } });
    r = await call('POST', '/api/v1/customers/bad/events', { name: 'x'.repeat(101), data: 5 });
    expect(r.json).toEqual({
      meta: { errors: ['event name cannot be longer than 100 bytes', 'event data must be a hash'] },
    });
    r = await call('POST', '/api/v1/customers/bad/events', { name: 'x', id: 'not-a-ulid' });
    expect(r.json).toEqual({ meta: { errors: ['event id must be a valid ULID'] } });
    r = await call('PUT', '/api/v1/customers/bad', { _timestamp: 'yesterday' });
    expect(r.json).toEqual({ meta: { errors: ['_timestamp must be a unix timestamp in seconds'] } });
    r = await call('PUT', '/api/v1/customers/bad', { id: 'other' });
    expect(r.json).toEqual({ meta: { errors: ['id attribute and identifier are not the same value'] } });
    r = await call('PUT', `/api/v1/customers/${'i'.repeat(151)}`, {});
    expect(r.status).toBe(400);
    r = await call('PUT', '/api/v1/customers/bad', { ['n'.repeat(151)]: 1, v: 'x'.repeat(1001) });
    expect((r.json.meta as { errors: string[] }).errors).toHaveLength(2);
    expect(await personBy(store, 'id', 'bad')).toBeUndefined();
  });

  it('merge errors use the singular meta.error', async () => {
    const r = await call('POST', '/api/v1/merge_customers', {
      primary: { id: 'a', email: 'a@b.co' },
      secondary: { id: 'b' },
    });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ meta: { error: 'primary must have exactly one of id, email or cio_id' } });
  });

  it('__proto__ and constructor never reach a prototype', async () => {
    const r = await call('PUT', '/api/v1/customers/proto', '{"__proto__":{"polluted":1}}');
    expect(r.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ok = await call('PUT', '/api/v1/customers/proto', { constructor: 'plain', toString: 'data' });
    expect(ok.status).toBe(200);
    expect((await personBy(store, 'id', 'proto'))!.attributes).toEqual({
      constructor: 'plain',
      toString: 'data',
    });
    const dotted = await call('PUT', '/api/v1/customers/proto', {
      'cio_subscription_preferences.constructor.x': true,
    });
    expect(dotted.status).toBe(200);
  });

  it('dot-path keys change one subscription topic and keep the others', async () => {
    await call('PUT', '/api/v1/customers/topics', {
      cio_subscription_preferences: { topics: { topic_1: true, topic_2: false } },
    });
    await call('PUT', '/api/v1/customers/topics', { 'cio_subscription_preferences.topics.topic_3': true });
    await call('PUT', '/api/v1/customers/topics', { 'cio_subscription_preferences.topics.topic_1': null });
    expect((await personBy(store, 'id', 'topics'))!.attributes).toEqual({
      cio_subscription_preferences: { topics: { topic_2: false, topic_3: true } },
    });
  });

  it('accepts empty bodies on identify/suppress and bodies on DELETE', async () => {
    expect((await call('PUT', '/api/v1/customers/empty-body')).status).toBe(200);
    expect((await call('POST', '/api/v1/customers/empty-body/unsuppress')).status).toBe(200);
    expect((await call('DELETE', '/api/v1/customers/empty-body', {})).status).toBe(200);
    expect(await personBy(store, 'id', 'empty-body')).toBeUndefined();
  });

  it('decodes path identifiers after routing; invalid percent-encoding is a JSON 400', async () => {
    expect((await call('PUT', '/api/v1/customers/a%2Fb%20c%40d', {})).status).toBe(200);
    expect(await personBy(store, 'id', 'a/b c@d')).toBeDefined();
    expect((await call('PUT', '/api/v1/customers/%E2%9C%93', {})).status).toBe(200);
    expect(await personBy(store, 'id', '✓')).toBeDefined();
    const bad = await call('PUT', '/api/v1/customers/%ZZ', {});
    expect(bad.status).toBe(400);
    expect(bad.json.meta).toBeDefined();
    const cio = await call('PUT', '/api/v1/customers/cio_not-valid!', {});
    expect(cio.json).toEqual({ meta: { errors: ['invalid identifier'] } });
  });

  it('404, 405 and 415 are JSON; no redirects for trailing slashes', async () => {
    const nf = await call('GET', '/api/v1/nope');
    expect(nf.status).toBe(404);
    expect(nf.json.meta).toBeDefined();
    const na = await call('GET', '/api/v1/customers/x');
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toContain('PUT');
    expect(na.json.meta).toBeDefined();
    const ct = await call('PUT', '/api/v1/customers/x', 'a=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(ct.status).toBe(415);
    expect(ct.json.meta).toBeDefined();
    const slash = await call('PUT', '/api/v1/customers/slash/', {});
    expect(slash.status).toBe(200);
  });

  it('v2: 400 errors[] for a bad envelope, 413 for oversize, 207 for an oversize item', async () => {
    let r = await call('POST', '/api/v2/batch', { nope: [] });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      errors: [{ reason: 'required', field: 'batch', message: 'batch must be an array of operations' }],
    });
    r = await call('POST', '/api/v2/entity', {
      type: 'person',
      action: 'identify',
      identifiers: { id: 'a', email: 'a@b.co' },
    });
    expect(r.status).toBe(400);
    expect((r.json.errors as unknown[])[0]).toMatchObject({ field: 'identifiers', reason: 'invalid' });
    r = await call('POST', '/api/v2/entity', {
      type: 'person',
      action: 'identify',
      identifiers: { id: 'big' },
      attributes: { x: 'y'.repeat(40_000) },
    });
    expect(r.status).toBe(413);
    expect(r.json.errors).toBeDefined();
    const big = {
      type: 'person',
      action: 'identify',
      identifiers: { id: 'big' },
      attributes: { x: 'y'.repeat(33_000) },
    };
    r = await call('POST', '/api/v2/batch', {
      batch: [{ type: 'person', action: 'identify', identifiers: { id: 'small' } }, big],
    });
    expect(r.status).toBe(207);
    expect(r.json).toEqual({
      errors: [{ batch_index: 1, reason: 'too_large', field: '', message: 'operation is larger than 32 KB' }],
    });
    expect(await personBy(store, 'id', 'small')).toBeDefined();
    r = await call('POST', '/api/v2/batch', 'x'.repeat(10), {});
    expect(r.status).toBe(400);
    const huge = await call('POST', '/api/v2/batch', { batch: Array.from({ length: 20 }, () => big) });
    expect(huge.status).toBe(413);
  });

  it('v2 accepts anonymous events and invalid object ops fail per item', async () => {
    const r = await call('POST', '/api/v2/batch', {
      batch: [
        {
          type: 'person',
          action: 'event',
          identifiers: { anonymous_id: 'sdk-anon' },
          name: 'opened_app',
          attributes: {},
        },
        { type: 'object', action: 'identify', identifiers: { object_type_id: 'one', object_id: 'acme' } },
        {
          type: 'person',
          action: 'identify',
          identifiers: { id: 'sdk-user' },
          attributes: { anonymous_id: 'sdk-anon' },
        },
      ],
    });
    expect(r.status).toBe(207);
    expect(r.json).toEqual({ errors: [expect.objectContaining({ batch_index: 1, reason: 'invalid' })] });
    const p = await personBy(store, 'id', 'sdk-user');
    const events = await store.db
      .selectFrom('events')
      .select('name')
      .where('person_pid', '=', p!.pid)
      .execute();
    expect(events).toEqual([{ name: 'opened_app' }]);
  });

  it('forms need an email or id; segments need a manual segment of the workspace', async () => {
    const f = await call('POST', '/api/v1/forms/f1/submit', { data: { name: 'x' } });
    expect(f.status).toBe(400);
    expect(f.json).toEqual({ meta: { errors: ['form data must include an email or an id'] } });
    const s = await call('POST', '/api/v1/segments/abc/add_customers', { ids: ['a'] });
    expect(s.status).toBe(400);
    const e = await call('POST', '/api/v1/segments/1/add_customers', { ids: [] });
    expect(e.status).toBe(400);
  });
});
