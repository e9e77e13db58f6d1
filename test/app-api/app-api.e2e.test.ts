import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient, IdentifierType } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from './helpers/seed.js';

const ULID_REF = /^.+ \(reference [0-9A-HJKMNP-TV-Z]{26}\)$/;

async function failure(p: Promise<unknown>): Promise<{ statusCode: number; body: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { statusCode: number; response?: { body?: string }; body?: string };
    const raw = e.body ?? '';
    return { statusCode: e.statusCode, body: raw ? JSON.parse(String(raw)) : undefined };
  }
  throw new Error('expected the request to fail');
}

describe.each(engines())('App API through customerio-node APIClient (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;
  let api: APIClient;
  let u1: { pid: number; cio_id: string };
  let u2: { pid: number; cio_id: string };

  const raw = (path: string, init: RequestInit = {}, key = server.credentials.appApiKey) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
    });

  beforeAll(async () => {
    // The listening line is logged at info; the helper's default (warn) hides it when keys are given.
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'info' } });
    seed = await seeder(server);
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    u1 = await seed.person({
      id: 'u1',
      email: 'A@Example.com',
      attributes: { plan: 'pro', age: 30, vip: true, prefs: { topics: [1] }, created_at: 1700000000 },
      devices: [
        { token: 'fcm-1', platform: 'android', last_used: 1700000500, attributes: { push_enabled: true } },
        { token: 'apns-1', platform: 'ios', last_used: 1700000100, last_status: 'sent' },
      ],
    });
    u2 = await seed.person({
      id: 'user 1/x@y',
      email: 'a+b@example.com',
      attributes: { plan: 'free' },
      unsubscribed: true,
    });
  });

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  describe('people', () => {
    it('getAttributes returns the documented customer object', async () => {
      const res = (await api.getAttributes('u1')) as { customer: Record<string, unknown> };
      expect(res).toEqual({
        customer: {
          id: 'u1',
          identifiers: { id: 'u1', email: 'A@Example.com', cio_id: u1.cio_id },
          attributes: {
            age: '30',
            cio_id: u1.cio_id,
            created_at: '1700000000',
            email: 'A@Example.com',
            id: 'u1',
            plan: 'pro',
            prefs: '{"topics":[1]}',
            vip: 'true',
          },
          timestamps: {
            age: 1700000000,
            cio_id: 1700000000,
            created_at: 1700000000,
            email: 1700000000,
            id: 1700000000,
            plan: 1700000000,
            prefs: 1700000000,
            vip: 1700000000,
          },
          unsubscribed: false,
          devices: [
            {
              id: 'fcm-1',
              platform: 'android',
              last_used: 1700000500,
              attributes: { _last_status: '', push_enabled: 'true' },
            },
            { id: 'apns-1', platform: 'ios', last_used: 1700000100, attributes: { _last_status: 'sent' } },
          ],
        },
      });
    });

    it('answers compact JSON with the App API content type', async () => {
      const res = await raw('/v1/customers/u1/attributes?id_type=id');
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const text = await res.text();
      expect(text).toBe(JSON.stringify(JSON.parse(text)));
    });

    it('resolves email (case-insensitive), cio_id (bare and cio_ prefixed) and encoded ids', async () => {
      const byEmail = (await api.getAttributes('a@EXAMPLE.com', 'email' as never)) as {
        customer: { id: string };
      };
      expect(byEmail.customer.id).toBe('u1');
      const byCio = (await api.getAttributes(u1.cio_id, 'cio_id' as never)) as { customer: { id: string } };
      expect(byCio.customer.id).toBe('u1');
      const prefixed = (await api.getAttributes(`cio_${u1.cio_id}`, 'cio_id' as never)) as {
        customer: { id: string };
      };
      expect(prefixed.customer.id).toBe('u1');
      const slashed = (await api.getAttributes('user 1/x@y')) as {
        customer: { id: string; unsubscribed: boolean };
      };
      expect(slashed.customer).toMatchObject({ id: 'user 1/x@y', unsubscribed: true });
      const plus = (await api.getAttributes('a+b@example.com', 'email' as never)) as {
        customer: { id: string };
      };
      expect(plus.customer.id).toBe('user 1/x@y');
    });

    it('404s an unknown person with the errors[] envelope', async () => {
      const f = await failure(api.getAttributes('nobody'));
      expect(f.statusCode).toBe(404);
      expect(f.body).toMatchObject({ errors: [{ status: '404', detail: expect.stringMatching(ULID_REF) }] });
    });

    it('400s an id_type that is unknown or not enabled', async () => {
      for (const idType of ['phone', 'nope']) {
        const res = await raw(`/v1/customers/u1/attributes?id_type=${idType}`);
        expect(res.status).toBe(400);
        const body = (await res.json()) as {
          errors: Array<{ status: string; source?: { pointer: string } }>;
        };
        expect(body.errors[0]).toMatchObject({ status: '400', source: { pointer: '/id_type' } });
      }
    });

    it('getCustomersByEmail finds case-insensitively and answers [] for no match', async () => {
      expect(await api.getCustomersByEmail('a@example.COM')).toEqual({
        results: [{ cio_id: u1.cio_id, email: 'A@Example.com', id: 'u1' }],
      });
      expect(await api.getCustomersByEmail('a+b@example.com')).toEqual({
        results: [{ cio_id: u2.cio_id, email: 'a+b@example.com', id: 'user 1/x@y' }],
      });
      expect(await api.getCustomersByEmail('none@example.com')).toEqual({ results: [] });
      const res = await raw('/v1/customers');
      expect(res.status).toBe(400);
    });

    it('getCustomersAttributes returns flat items in request order and omits unknown ids', async () => {
      const res = (await api.getCustomersAttributes(['user 1/x@y', 'ghost', 'u1', 'u1'])) as {
        customers: Array<{ id: string; attributes: Record<string, string>; devices: unknown[] }>;
      };
      expect(res.customers.map((c) => c.id)).toEqual(['user 1/x@y', 'u1']);
      expect(res.customers[1]!.attributes.plan).toBe('pro');
      expect(res.customers[1]!.devices).toHaveLength(2);
      expect(await api.getCustomersAttributes(['ghost'])).toEqual({ customers: [] });
      const tooMany = await raw('/v1/customers/attributes', {
        method: 'POST',
        body: JSON.stringify({ ids: Array.from({ length: 101 }, (_, i) => `x${i}`) }),
      });
      expect(tooMany.status).toBe(400);
      const empty = await raw('/v1/customers/attributes', { method: 'POST', body: '{"ids":[]}' });
      expect(empty.status).toBe(400);
    });
  });

  describe('segments', () => {
    it('creates, reads, counts, lists members, reports used_by and deletes a manual segment', async () => {
      const created = (await api.createSegment({ name: 'Manual 1', description: 'desc' })) as {
        segment: Record<string, unknown> & { id: number; created_at: number };
      };
      const s = created.segment;
      expect(s).toEqual({
        id: expect.any(Number),
        deduplicate_id: `${s.id}:${s.created_at}`,
        name: 'Manual 1',
        description: 'desc',
        state: 'finished',
        progress: null,
        type: 'manual',
        tags: null,
        created_at: expect.any(Number),
        updated_at: s.created_at,
        // Roster's addition: a dynamic segment's conditions (docs/segments.md).
        conditions: null,
      });
      expect(await api.getSegment(s.id)).toEqual({ segment: s });
      const list = (await api.listSegments()) as { segments: Array<{ id: number }> };
      expect(list.segments.map((x) => x.id)).toContain(s.id);

      await seed.members(s.id, [u1.pid, u2.pid]);
      expect(await api.getSegmentCustomerCount(s.id)).toEqual({ count: 2, segment_id: s.id });
      expect(await api.getSegmentMembership(s.id)).toEqual({
        identifiers: [
          { email: 'A@Example.com', id: 'u1', cio_id: u1.cio_id },
          { email: 'a+b@example.com', id: 'user 1/x@y', cio_id: u2.cio_id },
        ],
        ids: ['u1', 'user 1/x@y'],
        next: '',
        segment_id: s.id,
      });
      const page1 = (await api.getSegmentMembership(s.id, { limit: 1 })) as { ids: string[]; next: string };
      expect(page1.ids).toEqual(['u1']);
      const page2 = (await api.getSegmentMembership(s.id, { start: page1.next, limit: 1 })) as {
        ids: string[];
        next: string;
      };
      expect(page2).toMatchObject({ ids: ['user 1/x@y'], next: '' });
      expect(await api.getSegmentUsedBy(s.id)).toEqual({
        segment_id: s.id,
        used_by: { campaigns: [], sent_newsletters: [], draft_newsletters: [] },
      });
      expect(await api.getCustomerSegments('u1')).toEqual({
        segments: [{ id: s.id, name: 'Manual 1', description: 'desc' }],
      });
      expect(await api.getCustomerSegments('a@example.com', 'email' as never)).toEqual({
        segments: [{ id: s.id, name: 'Manual 1', description: 'desc' }],
      });

      expect(await api.deleteSegment(s.id)).toEqual({});
      expect((await failure(api.getSegment(s.id))).statusCode).toBe(404);
      expect((await failure(api.getSegmentCustomerCount(s.id))).statusCode).toBe(404);
      expect((await failure(api.deleteSegment(s.id))).statusCode).toBe(404);
      expect(await api.getCustomerSegments('u1')).toEqual({ segments: [] });
    });

    it('answers 204 with no body on delete, and 400 for a dynamic segment', async () => {
      const { segment } = (await api.createSegment({ name: 'Tmp' })) as {
        segment: { id: number; description: string };
      };
      expect(segment.description).toBe('');
      const res = await raw(`/v1/segments/${segment.id}`, { method: 'DELETE' });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      const dyn = await seed.segment('Dynamic', 'dynamic');
      expect((await raw(`/v1/segments/${dyn}`, { method: 'DELETE' })).status).toBe(400);
      expect((await api.getSegment(dyn)) as { segment: { type: string } }).toMatchObject({
        segment: { type: 'dynamic' },
      });
    });

    it('400s a segment without a name, pointing at it', async () => {
      // No `segment` at all: the route's schema names the missing object.
      const bare = await raw('/v1/segments', { method: 'POST', body: '{}' });
      expect(bare.status).toBe(400);
      expect(((await bare.json()) as { errors: unknown[] }).errors[0]).toMatchObject({
        detail: expect.stringContaining('segment is required'),
        source: { pointer: '/segment' },
      });
      for (const body of ['{"segment":{}}', '{"segment":{"name":""}}']) {
        const res = await raw('/v1/segments', { method: 'POST', body });
        expect(res.status).toBe(400);
        const json = (await res.json()) as { errors: Array<Record<string, unknown>> };
        expect(json.errors[0]).toMatchObject({
          detail: expect.stringContaining('segment name is required'),
          status: '400',
          source: { pointer: '/segment/name' },
        });
      }
    });

    it('404s unknown segments and people on every segment route', async () => {
      for (const path of ['/v1/segments/999999', '/v1/segments/abc', '/v1/segments/999999/membership']) {
        const res = await raw(path);
        expect(res.status).toBe(404);
      }
      expect((await failure(api.getCustomerSegments('ghost'))).statusCode).toBe(404);
    });
  });

  describe('messages', () => {
    it('answers the documented empty shapes until messaging exists', async () => {
      expect((await failure(api.getMessage('ZAIAAVTJVG0QcCok0-0ZKj6yiQ=='))).statusCode).toBe(404);
      expect(await api.getMessages({ limit: 10 } as never)).toEqual({ messages: [], next: '' });
      expect(await api.getCustomerMessages('u1')).toEqual({ messages: [], next: '' });
      expect((await failure(api.getCustomerMessages('ghost'))).statusCode).toBe(404);
    });
  });

  describe('auth, routing and errors', () => {
    it('401s a missing, wrong or tracking key with the errors[] envelope', async () => {
      for (const auth of [
        undefined,
        'Bearer wrong-key-wrong-key',
        `Bearer ${server.credentials.apiKey}`,
        `Basic ${Buffer.from(`${server.credentials.siteId}:${server.credentials.apiKey}`).toString('base64')}`,
      ]) {
        const res = await fetch(`${server.appUrl}/customers/u1/attributes`, {
          headers: auth ? { authorization: auth } : {},
        });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({
          errors: [{ code: 'invalid_credentials', status: '401', detail: expect.stringMatching(ULID_REF) }],
        });
      }
      const bad = new APIClient('wrong-key-wrong-key', { url: server.appUrl });
      expect((await failure(bad.getAttributes('u1'))).statusCode).toBe(401);
    });

    it("gives customerio-node's errors the server's message, not 'Unknown error'", async () => {
      // The client builds its message from meta.error; errors[] keeps the detail and the pointer.
      const message = async (p: Promise<unknown>) =>
        p.then(
          () => {
            throw new Error('expected the request to fail');
          },
          (err: Error & { statusCode: number }) => ({ status: err.statusCode, message: err.message }),
        );
      expect(await message(api.getAttributes('nobody-here'))).toEqual({
        status: 404,
        message: expect.stringMatching(/^not found \(reference [0-9A-Z]{26}\)$/),
      });
      // An email where the id was meant: the 404 says what to try.
      expect(await message(api.getAttributes('a+b@example.com'))).toEqual({
        status: 404,
        message: expect.stringContaining(
          'no person has the id a+b@example.com (did you mean id_type=email?)',
        ),
      });
      expect((await api.getAttributes('a+b@example.com', IdentifierType.Email)) as object).toHaveProperty(
        'customer',
      );
      expect(
        await message(
          api.searchCustomers({ attribute: { field: 'plan', operator: 'between', value: 1 } } as never),
        ),
      ).toEqual({ status: 400, message: expect.stringMatching(/^invalid filter/) });
      const bad = new APIClient('wrong-key-wrong-key', { url: server.appUrl });
      expect(await message(bad.getAttributes('u1'))).toEqual({
        status: 401,
        message: expect.stringMatching(/^unauthorized \(reference /),
      });
      const body = (await (await raw('/v1/customers/nobody-here/attributes')).json()) as {
        errors: Array<{ detail: string }>;
        meta: { error: string };
      };
      expect(body.meta.error).toBe(body.errors[0]!.detail);
    });

    it('serves the legacy /v1/api/* paths', async () => {
      const res = await raw('/v1/api/customers/u1/attributes');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { customer: { id: string } }).customer.id).toBe('u1');
      const batch = await raw('/v1/api/customers/attributes', { method: 'POST', body: '{"ids":["u1"]}' });
      expect(((await batch.json()) as { customers: unknown[] }).customers).toHaveLength(1);
    });

    it('answers JSON 404 for unknown routes and 405 for a wrong method', async () => {
      const unknown = await raw('/v1/nope');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ errors: [{ status: '404' }] });
      const wrong = await raw('/v1/segments', { method: 'PUT', body: '{}' });
      expect(wrong.status).toBe(405);
      expect(await wrong.json()).toMatchObject({ errors: [{ status: '405' }] });
    });

    it('ignores the Content-Type that node sends on GET and DELETE', async () => {
      const res = await raw('/v1/segments', { headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(200);
    });
  });
});
