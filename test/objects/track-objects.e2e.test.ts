import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerCredentials, ServerProcess } from '../helpers/server-process.js';
import { activitiesOf, basic, openServerStore, personBy, raw, startTrackServer } from '../track/helpers.js';
import { objectActivities, objectBy, relationshipsOf } from './helpers.js';

const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

/** Objects and relationships over the Track API (docs/objects.md), on each engine. */
describe.each(engines())('objects over the Track API on %s', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let call: ReturnType<typeof raw>;
  const entity = (op: unknown) => call('POST', '/api/v2/entity', op);
  const batch = (ops: unknown[]) => call('POST', '/api/v2/batch', { batch: ops });
  const obj = (id: string, extra: Record<string, unknown> = {}) => ({
    type: 'object',
    action: 'identify',
    identifiers: { object_type_id: '1', object_id: id },
    ...extra,
  });

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    store = await openServerStore(server);
    call = raw(server);
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  it('identify creates an object whose attributes merge, remove with null and "", and keep the latest by timestamp', async () => {
    let r = await entity(
      obj('acme', { attributes: { name: 'Acme', plan: 'pro', seats: 5, x: 1 }, timestamp: 1000 }),
    );
    expect(r.status, r.text).toBe(200);
    r = await entity(
      obj('acme', { attributes: { plan: 'enterprise', seats: null, x: '' }, timestamp: 1002 }),
    );
    expect(r.status).toBe(200);
    // Older than the plan's last change: ignored, still 200.
    r = await entity(obj('acme', { attributes: { plan: 'free', region: 'eu' }, timestamp: 1001 }));
    expect(r.status).toBe(200);
    const acme = (await objectBy(store, '1', 'acme'))!;
    expect(acme.attributes).toEqual({ name: 'Acme', plan: 'enterprise', region: 'eu' });
    expect(acme.cioObjectId).toMatch(/^ob[0-9a-f]{16}$/);
    const history = await objectActivities(store, acme.oid);
    expect(history.map((h) => h.type)).toEqual([
      'create',
      'attribute_change',
      'attribute_change',
      'attribute_change',
      'failed_attribute_change',
    ]);
    expect(history[2]!.data).toEqual({
      plan: { from: 'pro', to: 'enterprise' },
      seats: { from: 5, to: null },
      x: { from: 1, to: null },
    });
    const types = await store.db.selectFrom('object_types').select(['type_id', 'name']).execute();
    expect(types).toEqual([{ type_id: '1', name: 'Objects 1' }]);

    // cio_object_id addresses it for updates; it never changes.
    r = await entity({
      type: 'object',
      action: 'identify',
      identifiers: { cio_object_id: acme.cioObjectId },
      attributes: { name: 'Acme Inc' },
    });
    expect(r.status).toBe(200);
    expect(await objectBy(store, '1', 'acme')).toMatchObject({
      cioObjectId: acme.cioObjectId,
      attributes: { name: 'Acme Inc' },
    });
  });

  it('relationships from the object side carry attributes, create people, and both histories record them', async () => {
    let r = await entity(
      obj('globex', {
        attributes: { plan: 'pro' },
        cio_relationships: [
          { identifiers: { id: 'dana' }, relationship_attributes: { role: 'admin', since: 2020 } },
          { identifiers: { email: 'eve@example.com' } },
        ],
      }),
    );
    expect(r.status, r.text).toBe(200);
    const dana = (await personBy(store, 'id', 'dana'))!;
    const eve = (await personBy(store, 'email', 'eve@example.com'))!;
    expect(await relationshipsOf(store, dana.pid)).toEqual({ '1:globex': { role: 'admin', since: 2020 } });
    expect(await relationshipsOf(store, eve.pid)).toEqual({ '1:globex': {} });

    // Relationship attributes merge, and "" removes one.
    r = await entity({
      type: 'object',
      action: 'add_relationships',
      identifiers: { object_type_id: '1', object_id: 'globex' },
      cio_relationships: [
        { identifiers: { id: 'dana' }, relationship_attributes: { role: 'owner', since: '' } },
      ],
    });
    expect(r.status).toBe(200);
    expect(await relationshipsOf(store, dana.pid)).toEqual({ '1:globex': { role: 'owner' } });
    const danaHistory = (await activitiesOf(store, dana.pid)).map((a) => a.type);
    expect(danaHistory).toEqual(['profile_create', 'add_relationship', 'relationship_attribute_change']);

    r = await entity({
      type: 'object',
      action: 'delete_relationships',
      identifiers: { object_type_id: '1', object_id: 'globex' },
      cio_relationships: [{ identifiers: { email: 'EVE@example.com' } }],
    });
    expect(r.status).toBe(200);
    expect(await relationshipsOf(store, eve.pid)).toEqual({});
    const globex = (await objectBy(store, '1', 'globex'))!;
    expect((await objectActivities(store, globex.oid)).map((h) => h.type)).toEqual([
      'create',
      'attribute_change',
      'add_relationship',
      'add_relationship',
      'relationship_attribute_change',
      'delete_relationship',
    ]);
  });

  it('a person relates to objects through v1 cio_relationships and v2 person actions', async () => {
    let r = await call('PUT', '/api/v1/customers/frank', {
      plan: 'x',
      cio_relationships: {
        action: 'add_relationships',
        relationships: [
          {
            identifiers: { object_type_id: '2', object_id: 'course-101' },
            relationship_attributes: { grade: 'A' },
          },
          { identifiers: { object_type_id: '1', object_id: 'initech' } },
        ],
      },
    });
    expect(r.status, r.text).toBe(200);
    const frank = (await personBy(store, 'id', 'frank'))!;
    expect(frank.attributes).toEqual({ plan: 'x' });
    expect(await relationshipsOf(store, frank.pid)).toEqual({
      '2:course-101': { grade: 'A' },
      '1:initech': {},
    });

    const course = (await objectBy(store, '2', 'course-101'))!;
    r = await entity({
      type: 'person',
      action: 'delete_relationships',
      identifiers: { id: 'frank' },
      cio_relationships: [{ identifiers: { cio_object_id: course.cioObjectId } }],
    });
    expect(r.status, r.text).toBe(200);
    r = await entity({
      type: 'person',
      action: 'identify',
      identifiers: { id: 'frank' },
      attributes: {},
      cio_relationships: [
        { identifiers: { object_type_id: '1', object_id: 'hooli' }, relationship_attributes: { r: 1 } },
      ],
    });
    expect(r.status, r.text).toBe(200);
    r = await call('PUT', '/api/v1/customers/frank', {
      cio_relationships: {
        action: 'delete_relationships',
        relationships: [{ identifiers: { object_type_id: '1', object_id: 'initech' } }],
      },
    });
    expect(r.status).toBe(200);
    expect(await relationshipsOf(store, frank.pid)).toEqual({ '1:hooli': { r: 1 } });
  });

  it('a mixed batch reports bad object items by batch_index and commits the rest', async () => {
    const r = await batch([
      obj('b-ok', { attributes: { a: 1 } }),
      { type: 'object', action: 'identify', identifiers: { object_type_id: 'companies', object_id: 'x' } },
      { type: 'person', action: 'identify', identifiers: { id: 'b-person' }, attributes: { b: 2 } },
      {
        type: 'object',
        action: 'identify',
        identifiers: { cio_object_id: 'ob0000000000000000' },
        attributes: { a: 1 },
      },
      obj('x'.repeat(151)),
      obj('b-big', { attributes: { v: 'x'.repeat(1001) } }),
      {
        type: 'person',
        action: 'add_relationships',
        identifiers: { id: 'b-person' },
        cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'b-ok' } }],
      },
      { type: 'object', action: 'explode', identifiers: { object_type_id: '1', object_id: 'b-ok' } },
    ]);
    expect(r.status).toBe(207);
    const errors = (
      r.json as { errors: Array<{ batch_index: number; reason: string; field: string; message: string }> }
    ).errors;
    expect(errors.map((e) => [e.batch_index, e.reason])).toEqual([
      [1, 'invalid'],
      [3, 'not_found'],
      [4, 'too_long'],
      [5, 'too_long'],
      [7, 'invalid'],
    ]);
    expect(errors[0]!.field).toBe('identifiers.object_type_id');
    expect(errors[1]!.message).toBe('no object ob0000000000000000');
    expect(await objectBy(store, '1', 'b-ok')).toMatchObject({ attributes: { a: 1 } });
    expect(await objectBy(store, '1', 'b-big')).toBeUndefined();
    const p = (await personBy(store, 'id', 'b-person'))!;
    expect(await relationshipsOf(store, p.pid)).toEqual({ '1:b-ok': {} });
  });

  it('the object limits answer with clear messages and write nothing', async () => {
    const many = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]));
    let r = await entity(obj('lim', { attributes: many }));
    expect(r.status).toBe(400);
    expect(r.text).toContain('cannot set more than 300 attributes');
    // 101 attributes of 1000 bytes each: over 100 KB once merged (sent in four requests).
    for (let part = 0; part < 4; part++) {
      const attrs = Object.fromEntries(
        Array.from({ length: 26 }, (_, i) => [`k${part}_${i}`, 'v'.repeat(1000)]),
      );
      r = await call('POST', '/api/v2/batch', { batch: [obj('lim', { attributes: attrs })] });
      if (r.status !== 200) break;
    }
    expect(r.status).toBe(207);
    expect(r.text).toContain('attributes cannot exceed 100 KB');
    r = await entity(
      obj('lim2', {
        cio_relationships: Array.from({ length: 1001 }, (_, i) => ({ identifiers: { id: `p${i}` } })),
      }),
    );
    expect([400, 413]).toContain(r.status);
    r = await entity({ type: 'object', action: 'identify', identifiers: { object_id: 'no-type' } });
    expect(r.status).toBe(400);
    expect(r.text).toContain('identifiers.object_type_id is required');
    expect(await objectBy(store, '1', 'lim2')).toBeUndefined();
    expect(await personBy(store, 'id', 'p0')).toBeUndefined();
  });

  it('hostile object ids and attribute names are plain data', async () => {
    // As JSON text: in a JS literal `__proto__` would set the prototype instead of a key.
    const hostile = `{"type":"object","action":"identify","identifiers":{"object_type_id":"1","object_id":"x"},
      "attributes":{"__proto__":{"polluted":true}}}`;
    let r = await call('POST', '/api/v2/entity', hostile);
    expect(r.status).toBe(400);
    expect(r.text).toContain('forbidden key');
    r = await entity(
      obj('__proto__', {
        attributes: { constructor: 'c', toString: 't', 'a.b': 1 },
        cio_relationships: [
          { identifiers: { id: 'constructor' }, relationship_attributes: { hasOwnProperty: 'x' } },
        ],
      }),
    );
    expect(r.status, r.text).toBe(200);
    const o = (await objectBy(store, '1', '__proto__'))!;
    expect(Object.keys(o.attributes).sort()).toEqual(['a.b', 'constructor', 'toString']);
    const p = (await personBy(store, 'id', 'constructor'))!;
    expect(await relationshipsOf(store, p.pid)).toEqual({ '1:__proto__': { hasOwnProperty: 'x' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('deleting an object removes its relationships; deleting a person removes theirs', async () => {
    await entity(
      obj('doomed', {
        cio_relationships: [{ identifiers: { id: 'd1' } }, { identifiers: { id: 'd2' } }],
      }),
    );
    await entity(obj('kept', { cio_relationships: [{ identifiers: { id: 'd2' } }] }));
    const doomed = (await objectBy(store, '1', 'doomed'))!;
    let r = await entity({
      type: 'object',
      action: 'delete',
      identifiers: { object_type_id: '1', object_id: 'doomed' },
    });
    expect(r.status).toBe(200);
    expect(await objectBy(store, '1', 'doomed')).toBeUndefined();
    const d1 = (await personBy(store, 'id', 'd1'))!;

    expect(await relationshipsOf(store, d1.pid)).toEqual({});
    expect((await activitiesOf(store, d1.pid)).map((a) => a.type)).toContain('delete_relationship');
    expect((await objectActivities(store, doomed.oid)).at(-1)).toEqual({
      type: 'delete',
      data: expect.objectContaining({ relationships: 2 }),
    });
    // Deleting an unknown object is fine, as deleting an unknown person is.
    r = await entity({
      type: 'object',
      action: 'delete',
      identifiers: { object_type_id: '1', object_id: 'doomed' },
    });
    expect(r.status).toBe(200);

    r = await call('DELETE', '/api/v1/customers/d2');
    expect(r.status).toBe(200);
    const kept = (await objectBy(store, '1', 'kept'))!;
    expect(
      await store.db.selectFrom('relationships').selectAll().where('object_oid', '=', kept.oid).execute(),
    ).toEqual([]);
    expect((await objectActivities(store, kept.oid)).at(-1)?.type).toBe('delete_relationship');
  });

  it('merging people moves relationships, and the primary relationship attributes win', async () => {
    await entity(
      obj('m-shared', {
        cio_relationships: [
          { identifiers: { id: 'm-primary' }, relationship_attributes: { role: 'admin' } },
          { identifiers: { id: 'm-secondary' }, relationship_attributes: { role: 'member', dept: 'ops' } },
        ],
      }),
    );
    await entity(obj('m-only', { cio_relationships: [{ identifiers: { id: 'm-secondary' } }] }));
    const r = await call('POST', '/api/v1/merge_customers', {
      primary: { id: 'm-primary' },
      secondary: { id: 'm-secondary' },
    });
    expect(r.status).toBe(200);
    const p = (await personBy(store, 'id', 'm-primary'))!;
    expect(await relationshipsOf(store, p.pid)).toEqual({
      '1:m-shared': { role: 'admin', dept: 'ops' },
      '1:m-only': {},
    });
  });

  it('identify_anonymous relationships move to the person identified with that anonymous id', async () => {
    let r = await entity({
      type: 'object',
      action: 'identify_anonymous',
      identifiers: { object_type_id: '1', object_id: 'anon-co' },
      cio_relationships: [
        { identifiers: { anonymous_id: 'anon-1' }, relationship_attributes: { via: 'web' } },
      ],
    });
    expect(r.status, r.text).toBe(200);
    r = await call('PUT', '/api/v1/customers/anon-person', { anonymous_id: 'anon-1' });
    expect(r.status).toBe(200);
    const p = (await personBy(store, 'id', 'anon-person'))!;
    expect(await relationshipsOf(store, p.pid)).toEqual({ '1:anon-co': { via: 'web' } });
  });

  it('objects never cross workspaces', async () => {
    const args = ['workspace', 'create', '--name', 'Other', '--json'];
    if (server.databaseUrl) args.push('--database-url', server.databaseUrl);
    else args.push('--data', server.dataDir);
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args]);
    const other = JSON.parse(stdout) as ServerCredentials;
    const otherCall = (body: unknown) =>
      fetch(`${server.url}/api/v2/entity`, {
        method: 'POST',
        headers: { authorization: basic(other.siteId, other.apiKey), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const acme = (await objectBy(store, '1', 'acme'))!;
    // Workspace B cannot address A's object by its cio_object_id…
    let res = await otherCall({
      type: 'object',
      action: 'identify',
      identifiers: { cio_object_id: acme.cioObjectId },
      attributes: { hacked: true },
    });
    expect(res.status).toBe(400);
    // …and the same type and id in B is another object.
    res = await otherCall(obj('acme', { attributes: { mine: 'B' } }));
    expect(res.status).toBe(200);
    const rows = await store.db.selectFrom('objects').selectAll().where('object_id', '=', 'acme').execute();
    expect(rows).toHaveLength(2);
    expect((await objectBy(store, '1', 'acme'))!.attributes).not.toHaveProperty('hacked');
  });
});
