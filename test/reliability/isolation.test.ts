import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerCredentials, type ServerProcess } from '../helpers/server-process.js';
import { ALL_ROUTES, APP_ROUTES, PIPELINES_ROUTES, TRACK_ROUTES, type Route } from './routes.js';

/**
 * Two workspaces on one server, holding the same identifiers: the keys of one can neither read nor
 * change anything of the other, on every route; tracking keys never open the App API and App keys
 * never write the Track API.
 */
const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);
const run = promisify(execFile);

const basic = (c: ServerCredentials, key = c.apiKey) =>
  `Basic ${Buffer.from(`${c.siteId}:${key}`).toString('base64')}`;
const bearer = (key: string) => `Bearer ${key}`;

interface Ws {
  name: 'A' | 'B';
  creds: ServerCredentials;
  segmentId: number;
  cioId: string;
}

describe.each(engines())('workspace isolation on %s', (engine) => {
  let server: ServerProcess;
  let A: Ws;
  let B: Ws;

  const call = async (method: string, p: string, authorization: string | undefined, body?: unknown) => {
    const res = await fetch(`${server.url}${p}`, {
      method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, text: await res.text() };
  };
  const app = (ws: Ws, p: string) => call('GET', `/v1${p}`, bearer(ws.creds.appApiKey));
  const track = (ws: Ws, method: string, p: string, body?: unknown) => call(method, p, basic(ws.creds), body);

  /** Everything workspace B holds, as B's own App key reads it. */
  const snapshot = async (ws: Ws) => {
    const parts = await Promise.all([
      app(ws, '/customers/iso-u1/attributes'),
      app(ws, '/customers/iso-u2/attributes'),
      app(ws, '/customers/iso-u1/activities?limit=100'),
      app(ws, '/activities?limit=100'),
      app(ws, '/segments'),
      app(ws, `/segments/${ws.segmentId}/membership`),
      app(ws, '/customers?email=iso%40example.com'),
      app(ws, '/objects/1/iso-obj/attributes'),
      app(ws, '/objects/1/iso-obj/relationships'),
    ]);
    // References (ULIDs in error details) differ per call; everything else must not.
    return parts.map((p) => `${p.status} ${p.text.replace(/reference [0-9A-Z]{26}/g, 'reference')}`);
  };

  beforeAll(async () => {
    server = await startServer({ engine });
    const args = ['workspace', 'create', '--name', 'Second', '--json'];
    if (server.databaseUrl) args.push('--database-url', server.databaseUrl);
    else args.push('--data', server.dataDir);
    const created = JSON.parse((await run(process.execPath, [CLI, ...args])).stdout) as ServerCredentials;
    const seed = async (name: 'A' | 'B', creds: ServerCredentials): Promise<Ws> => {
      const ws: Ws = { name, creds, segmentId: 0, cioId: '' };
      const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
      ok(
        await track(ws, 'PUT', '/api/v1/customers/iso-u1', {
          email: 'iso@example.com',
          marker: `ws-${name}`,
        }),
      );
      ok(await track(ws, 'PUT', '/api/v1/customers/iso-u2', { marker: `ws-${name}` }));
      ok(
        await track(ws, 'PUT', '/api/v1/customers/iso-u1/devices', {
          device: { id: 'iso-shared-token', platform: 'ios', attributes: { marker: `ws-${name}` } },
        }),
      );
      ok(
        await track(ws, 'PUT', '/api/v1/customers/iso-u2/devices', {
          device: { id: `iso-tok-${name}`, platform: 'android' },
        }),
      );
      ok(
        await track(ws, 'POST', '/api/v1/customers/iso-u1/events', {
          name: 'iso-evt',
          data: { marker: `ws-${name}` },
        }),
      );
      ok(
        await track(ws, 'POST', '/api/v1/events', {
          anonymous_id: 'iso-anon',
          name: 'iso-anon-evt',
          data: { marker: `ws-${name}` },
        }),
      );
      ok(
        await track(ws, 'POST', '/api/v2/entity', {
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'iso-obj' },
          attributes: { marker: `ws-${name}` },
          cio_relationships: [
            { identifiers: { id: 'iso-u1' }, relationship_attributes: { marker: `ws-${name}` } },
          ],
        }),
      );
      const seg = await call('POST', '/v1/segments', bearer(creds.appApiKey), {
        segment: { name: `seg-ws-${name}` },
      });
      ok(seg);
      ws.segmentId = (JSON.parse(seg.text) as { segment: { id: number } }).segment.id;
      ok(await track(ws, 'POST', `/api/v1/segments/${ws.segmentId}/add_customers`, { ids: ['iso-u1'] }));
      const attrs = JSON.parse((await app(ws, '/customers/iso-u1/attributes')).text) as {
        customer: { identifiers: { cio_id: string } };
      };
      ws.cioId = attrs.customer.identifiers.cio_id;
      return ws;
    };
    A = await seed('A', server.credentials);
    B = await seed('B', created);
    expect(A.cioId).not.toBe(B.cioId);
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
  });

  const fill = (route: Route, target: Ws) =>
    route.path
      .replace(':identifier', 'iso-u1')
      .replace(':customer_id', 'iso-u1')
      .replace(':device_id', 'iso-shared-token')
      .replace(':segment_id', String(target.segmentId))
      .replace(':form_id', 'iso-form')
      .replace(':delivery_id', 'iso-delivery')
      .replace(':message_id', 'iso-message')
      .replace(':trigger_id', '1')
      .replace(':kind', 'fcm')
      .replace(':object_type_id', '1')
      .replace(':object_id', 'iso-obj')
      .replace(':id', '1');

  it("A's App key reads nothing of B on any App route, even addressing B's objects", async () => {
    const markersOfB = ['ws-B', B.cioId, 'iso-tok-B', `seg-ws-B`];
    for (const route of APP_ROUTES.filter((r) => !r.rotatesKeys)) {
      for (const p of [fill(route, B), `${fill(route, B)}?id_type=cio_id`.replace('iso-u1', B.cioId)]) {
        const body = route.body ?? (route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
        if (route.method === 'DELETE' || route.method === 'PUT') continue; // writes: next test
        const r = await call(route.method, p, bearer(A.creds.appApiKey), body);
        expect(r.status, `${route.method} ${p}`).toBeLessThan(500);
        for (const m of markersOfB) expect(r.text, `${route.method} ${p} leaks ${m}`).not.toContain(m);
      }
    }
    // And what A reads of its own people is A's.
    const own = JSON.parse((await app(A, '/customers/iso-u1/attributes')).text) as {
      customer: {
        attributes: Record<string, string>;
        devices: Array<{ attributes: Record<string, string> }>;
      };
    };
    expect(own.customer.attributes.marker).toBe('ws-A');
    expect(own.customer.devices.map((d) => d.attributes.marker).filter(Boolean)).toEqual(['ws-A']);
    const search = JSON.parse(
      (
        await call('POST', '/v1/customers', bearer(A.creds.appApiKey), {
          filter: { attribute: { field: 'marker', operator: 'exists' } },
        })
      ).text,
    ) as { ids: string[]; identifiers: Array<{ cio_id: string }> };
    expect(search.identifiers.map((i) => i.cio_id)).not.toContain(B.cioId);
    expect((await app(A, `/segments/${B.segmentId}`)).status).toBe(404);
    expect((await app(A, `/segments/${B.segmentId}/membership`)).status).toBe(404);
    expect(
      (
        await call('POST', '/v1/customers', bearer(A.creds.appApiKey), {
          filter: { segment: { id: B.segmentId } },
        })
      ).status,
    ).toBe(400);
  });

  it("every write through A's keys, on every route, leaves B unchanged", async () => {
    const before = await snapshot(B);
    // The snapshot holds B's data: people, devices, events, the segment and its member.
    expect(before.every((part) => part.startsWith('200 '))).toBe(true);
    for (const m of ['ws-B', 'iso-tok-B', 'iso-shared-token', 'iso-evt', 'seg-ws-B', B.cioId])
      expect(before.join('\n')).toContain(m);
    // Track API: every route, with B's identifiers, token and segment id.
    for (const route of TRACK_ROUTES) {
      const p = fill(route, B);
      const r = await call(route.method, p, route.api === 'open' ? undefined : basic(A.creds), route.body);
      expect(r.status, `${route.method} ${p}: ${r.text}`).toBeLessThan(500);
    }
    // Addressing B's person by its cio_id through A's key.
    expect(
      (await track(A, 'PUT', `/api/v1/customers/cio_${B.cioId}`, { marker: 'hijack' })).status,
    ).toBeLessThan(500);
    await track(A, 'POST', '/api/v1/merge_customers', {
      primary: { id: 'iso-u2' },
      secondary: { cio_id: B.cioId },
    });
    await track(A, 'POST', '/api/v2/batch', {
      batch: [
        {
          type: 'person',
          action: 'identify',
          identifiers: { cio_id: B.cioId },
          attributes: { marker: 'hijack' },
        },
        {
          type: 'person',
          action: 'delete_device',
          identifiers: { id: 'iso-u2' },
          device: { token: 'iso-tok-B' },
        },
        { type: 'person', action: 'suppress', identifiers: { id: 'iso-u2' } },
      ],
    });
    await track(A, 'POST', `/api/v1/segments/${B.segmentId}/remove_customers`, { ids: ['iso-u1'] });
    // Track v2 object operations on the object id B uses too.
    await track(A, 'POST', '/api/v2/batch', {
      batch: [
        {
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'iso-obj' },
          attributes: { marker: 'hijack' },
          cio_relationships: [{ identifiers: { cio_id: B.cioId } }],
        },
        { type: 'object', action: 'delete', identifiers: { object_type_id: '1', object_id: 'iso-obj' } },
      ],
    });
    // Pipelines: A's write key (made through A's App key) on every route, and naming B's people,
    // object and device.
    const made = await call('POST', '/v1/workspace/rotate-keys', bearer(A.creds.appApiKey), { write: true });
    expect(made.status, made.text).toBe(200);
    const writeKey = (JSON.parse(made.text) as { write_key: string }).write_key;
    const pipelines = (p: string, body: unknown) =>
      call('POST', p, `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, body);
    for (const route of PIPELINES_ROUTES.filter((r) => r.api === 'pipelines')) {
      const r = await pipelines(fill(route, B), route.body);
      expect(r.status, `${route.method} ${route.path}: ${r.text}`).toBeLessThan(500);
    }
    const hijack = await pipelines('/v1/batch', {
      batch: [
        { type: 'identify', userId: `cio_${B.cioId}`, traits: { marker: 'hijack' }, messageId: 'iso-p1' },
        { type: 'track', userId: `cio_${B.cioId}`, event: 'iso-evt', messageId: 'iso-p2' },
        {
          type: 'group',
          userId: 'iso-u1',
          groupId: 'iso-obj',
          traits: { marker: 'hijack' },
          messageId: 'iso-p3',
        },
        {
          type: 'track',
          userId: 'iso-u2',
          event: 'Device Deleted',
          context: { device: { token: 'iso-tok-B' } },
          messageId: 'iso-p4',
        },
      ],
    });
    expect(hijack.status, hijack.text).toBeLessThan(500);
    // App API writes on B's segment.
    for (const route of APP_ROUTES.filter((r) => r.method !== 'GET' && !r.rotatesKeys)) {
      const r = await call(route.method, fill(route, B), bearer(A.creds.appApiKey), route.body);
      expect(r.status, `${route.method} ${route.path}`).toBeLessThan(500);
    }
    expect((await app(B, `/segments/${B.segmentId}`)).status).toBe(200);
    expect(await snapshot(B)).toEqual(before);
  });

  it('tracking keys never open the App API and App keys never write the Track API', async () => {
    for (const route of ALL_ROUTES) {
      if (route.api === 'open') continue;
      const p = fill(route, A);
      const wrong =
        route.api === 'app'
          ? [
              bearer(A.creds.apiKey),
              basic(A.creds),
              bearer(`${A.creds.siteId}:${A.creds.apiKey}`),
              bearer(B.creds.apiKey),
            ]
          : [
              basic(A.creds, A.creds.appApiKey),
              bearer(A.creds.appApiKey),
              basic({ ...A.creds, siteId: B.creds.siteId }),
              basic(A.creds, B.creds.apiKey),
            ];
      for (const authorization of wrong) {
        const r = await call(route.method, p, authorization, route.body);
        expect(r.status, `${route.method} ${p} with ${authorization.slice(0, 12)}…`).toBe(401);
      }
    }
  });

  it("rotating A's keys leaves B's keys working (runs last: A's old keys stop)", async () => {
    const r = await call('POST', '/v1/workspace/rotate-keys', bearer(A.creds.appApiKey), {
      track: true,
      app: true,
    });
    expect(r.status, r.text).toBeLessThan(300);
    expect((await app(A, '/customers/iso-u2/attributes')).status).toBe(401);
    expect((await app(B, '/customers/iso-u2/attributes')).status).toBe(200);
    expect((await track(B, 'PUT', '/api/v1/customers/iso-u2', { after: 'rotation' })).status).toBe(200);
  });
});
