import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { raw, startTrackServer } from '../track/helpers.js';

/** The App API's object reads (docs/objects.md), over HTTP on each engine. */
describe.each(engines())('objects over the App API on %s', (engine) => {
  let server: ServerProcess;
  let call: ReturnType<typeof raw>;
  let app: (method: string, path: string, body?: unknown) => ReturnType<ReturnType<typeof raw>>;
  let acmeCio = '';

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    call = raw(server);
    app = (method, path, body) =>
      call(method, path, body, { authorization: `Bearer ${server.credentials.appApiKey}` });
    const ops = [
      ['acme', { plan: 'enterprise', seats: 50, active: true, address: { city: 'Oslo' } }],
      ['globex', { plan: 'pro', seats: 5 }],
      ['initech', { plan: 'enterprise', seats: 12 }],
      ['ac-2', { plan: 'free' }],
      ['umbrella', {}],
    ].map(([id, attributes], i) => ({
      type: 'object',
      action: 'identify',
      identifiers: { object_type_id: '1', object_id: id },
      attributes,
      cio_relationships:
        i < 2
          ? [
              {
                identifiers: { id: 'dana' },
                relationship_attributes: { role: i === 0 ? 'admin' : 'member' },
              },
              { identifiers: { id: `p${i}` } },
            ]
          : [],
    }));
    const r = await call('POST', '/api/v2/batch', {
      batch: [
        ...ops,
        { type: 'object', action: 'identify', identifiers: { object_type_id: '2', object_id: 'c1' } },
      ],
    });
    expect(r.status, r.text).toBe(200);
    for (let i = 0; i < 3; i++)
      await call('POST', '/api/v2/entity', {
        type: 'person',
        action: 'add_relationships',
        identifiers: { id: `extra${i}` },
        cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
      });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('lists object types, which can be named and added', async () => {
    let r = await app('PUT', '/v1/object_types/1', { name: 'Companies', singular_name: 'Company' });
    expect(r.status, r.text).toBe(200);
    r = await app('POST', '/v1/object_types', { name: 'Online Classes' });
    expect(r.json).toEqual({
      type: expect.objectContaining({ id: '3', name: 'Online Classes', slug: 'online_classes' }),
    });
    r = await app('POST', '/v1/object_types', { name: 'companies' });
    expect(r.status).toBe(409);
    r = await app('GET', '/v1/object_types');
    expect(r.json).toEqual({
      types: [
        {
          id: '1',
          name: 'Companies',
          singular_name: 'Company',
          slug: 'companies',
          singular_slug: 'company',
          enabled: true,
          count: 5,
        },
        expect.objectContaining({ id: '2', name: 'Objects 2', count: 1 }),
        expect.objectContaining({ id: '3', name: 'Online Classes', count: 0 }),
      ],
    });
    expect((await app('PUT', '/v1/object_types/9', { name: 'X' })).status).toBe(404);
  });

  it('finds objects by filter, one page at a time', async () => {
    const find = (filter: unknown, query = '') =>
      app('POST', `/v1/objects${query}`, { object_type_id: '1', filter });
    let r = await find({
      and: [
        { object_attribute: { field: 'plan', operator: 'eq', value: 'enterprise', type_id: '1' } },
        { not: { object_attribute: { field: 'seats', operator: 'eq', value: '12', type_id: 1 } } },
      ],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ ids: ['acme'], next: '' });
    acmeCio = (r.json.identifiers as Array<{ cio_object_id: string }>)[0]!.cio_object_id;
    r = await find({ attribute: { field: 'seats', operator: 'gte', value: '10' } });
    expect(r.json.ids).toEqual(['acme', 'initech']);
    r = await find({ object_attribute: { field: 'address.city', operator: 'eq', value: 'Oslo' } });
    expect(r.json.ids).toEqual(['acme']);
    r = await find({ object_attribute: { field: 'object_id', operator: 'starts_with', value: 'ac' } });
    expect(r.json.ids).toEqual(['acme', 'ac-2']);

    const seen: string[] = [];
    let start = '';
    for (let pages = 0; pages < 10; pages++) {
      r = await find(
        { object_attribute: { field: 'object_id', operator: 'exists' } },
        `?limit=2&start=${start}`,
      );
      seen.push(...(r.json.ids as string[]));
      start = r.json.next as string;
      if (!start) break;
    }
    expect(seen).toEqual(['acme', 'globex', 'initech', 'ac-2', 'umbrella']);

    r = await find({ object_attribute: { field: 'plan', operator: 'eq', value: 'x', type_id: '2' } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('type_id 2 is not the searched object_type_id 1');
    r = await find({ segment: { id: 1 } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('segment is not an object condition');
    r = await app('POST', '/v1/objects', {
      filter: { object_attribute: { field: 'a', operator: 'exists' } },
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain('object_type_id is required');
  });

  it("reads an object's attributes by object_id or cio_object_id", async () => {
    let r = await app('GET', '/v1/objects/1/acme/attributes');
    expect(r.status, r.text).toBe(200);
    const object = r.json.object as Record<string, unknown>;
    expect(object).toMatchObject({
      object_type_id: '1',
      identifiers: { object_type_id: '1', object_id: 'acme', cio_object_id: expect.stringMatching(/^ob/) },
      attributes: { plan: 'enterprise', seats: '50', active: 'true', address: '{"city":"Oslo"}' },
    });
    expect(Object.keys(object.timestamps as object).sort()).toEqual(['active', 'address', 'plan', 'seats']);
    const cio = (object.identifiers as { cio_object_id: string }).cio_object_id;
    r = await app('GET', `/v1/objects/1/${cio}/attributes?id_type=cio_object_id`);
    expect(r.json.object).toEqual(object);
    expect((await app('GET', `/v1/objects/2/${cio}/attributes?id_type=cio_object_id`)).status).toBe(404);
    expect((await app('GET', '/v1/objects/1/nope/attributes')).status).toBe(404);
    expect((await app('GET', '/v1/objects/x/acme/attributes')).status).toBe(400);
    expect((await app('GET', '/v1/objects/1/acme/attributes?id_type=email')).status).toBe(400);
  });

  it('reads relationships in both directions, paged', async () => {
    const seen: string[] = [];
    let start = '';
    let r;
    for (let pages = 0; pages < 10; pages++) {
      r = await app('GET', `/v1/objects/1/acme/relationships?limit=2&start=${start}`);
      expect(r.status, r.text).toBe(200);
      for (const rel of r.json.cio_relationships as Array<{ identifiers: { id: string } }>)
        seen.push(rel.identifiers.id);
      start = r.json.next as string;
      if (!start) break;
    }
    expect(seen).toEqual(['dana', 'p0', 'extra0', 'extra1', 'extra2']);
    r = await app('GET', '/v1/objects/1/acme/relationships?limit=1');
    expect((r.json.cio_relationships as unknown[])[0]).toEqual({
      identifiers: { id: 'dana', email: null, cio_id: expect.any(String) },
      object_type_id: '1',
      relationship_attributes: { role: 'admin' },
    });

    r = await app('GET', '/v1/customers/dana/relationships');
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({
      cio_relationships: [
        {
          identifiers: { object_type_id: '1', object_id: 'acme', cio_object_id: acmeCio },
          object_type_id: '1',
          relationship_attributes: { role: 'admin' },
        },
        {
          identifiers: { object_type_id: '1', object_id: 'globex', cio_object_id: expect.any(String) },
          object_type_id: '1',
          relationship_attributes: { role: 'member' },
        },
      ],
      next: '',
    });
    expect((await app('GET', '/v1/customers/nobody/relationships')).status).toBe(404);
  });

  it("pages an object's history, newest first, in Customer.io's activity names", async () => {
    const r = await app('GET', '/v1/objects/1/acme/activities?limit=100');
    expect(r.status, r.text).toBe(200);
    const types = (r.json.activities as Array<{ type: string }>).map((a) => a.type);
    expect(types.at(-1)).toBe('_o:1:create');
    expect(types.filter((t) => t === '_o:1:add_relationship')).toHaveLength(5);
  });
});
