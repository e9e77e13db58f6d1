import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { activitiesOf, basic, openServerStore, personBy, send, startTrackServer } from './helpers.js';

/**
 * The Track fast lane (http/fast-lane.ts) answers identify, device and event writes without Fastify; every
 * other request, and every answer but the plain success, goes through Fastify. A request whose
 * path carries a query string always goes through Fastify: each case is sent both ways and must
 * be answered the same (status, headers, body), on both engines.
 */
describe.each(engines())('Track fast lane on %s', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    store = await openServerStore(server);
    auth = { authorization: basic(server.credentials.siteId, server.credentials.apiKey) };
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  const json = { 'content-type': 'application/json' };
  const cases: Array<[string, string, string, string | undefined, Record<string, string>]> = [
    ['identify', 'PUT', '/api/v1/customers/lane-1', '{"plan":"pro","visits":3}', json],
    ['identify of an email', 'PUT', '/api/v1/customers/lane%40example.com', '{"plan":"pro"}', json],
    [
      'charset',
      'PUT',
      '/api/v1/customers/lane-2',
      '{}',
      { 'content-type': 'application/json; charset=utf-8' },
    ],
    ['event', 'POST', '/api/v1/customers/lane-1/events', '{"name":"buy","data":{"price":10}}', json],
    ['device', 'PUT', '/api/v1/customers/lane-1/devices', '{"device":{"id":"tok-1","platform":"ios"}}', json],
    ['a refused device', 'PUT', '/api/v1/customers/lane-3/devices', '{"device":{"id":"tok-2"}}', json],
    ['malformed JSON', 'PUT', '/api/v1/customers/lane-3', '{"a":', json],
    ['an array body', 'PUT', '/api/v1/customers/lane-3', '[1,2]', json],
    ['an empty body', 'PUT', '/api/v1/customers/lane-3', '', json],
    ['a forbidden key', 'PUT', '/api/v1/customers/lane-3', '{"__proto__":{"x":1}}', json],
    ['a refused identify', 'PUT', '/api/v1/customers/lane-3', '{"id":"other"}', json],
    ['a refused event', 'POST', '/api/v1/customers/lane-3/events', '{"data":5}', json],
    ['another media type', 'PUT', '/api/v1/customers/lane-3', '{"a":1}', { 'content-type': 'text/csv' }],
    ['a NUL in the path', 'PUT', '/api/v1/customers/a%00b', '{"a":1}', json],
    ['a body over the limit', 'PUT', '/api/v1/customers/lane-3', `{"a":"${'x'.repeat(1_100_000)}"}`, json],
  ];

  it.each(cases)('answers %s as Fastify does', async (_name, method, path, body, headers) => {
    const lane = await send(server, method, path, body, { ...auth, ...headers });
    const fastify = await send(server, method, `${path}?via=fastify`, body, { ...auth, ...headers });
    expect(lane).toEqual(fastify);
  });

  it('answers a key that does not authenticate as Fastify does', async () => {
    const wrong = { authorization: basic(server.credentials.siteId, 'not-the-key'), ...json };
    const lane = await send(server, 'PUT', '/api/v1/customers/lane-4', '{"a":1}', wrong);
    expect(lane.status).toBe(401);
    expect(lane).toEqual(await send(server, 'PUT', '/api/v1/customers/lane-4?x=1', '{"a":1}', wrong));
    expect(await send(server, 'PUT', '/api/v1/customers/lane-4', '{"a":1}', json)).toEqual(
      await send(server, 'PUT', '/api/v1/customers/lane-4?x=1', '{"a":1}', json),
    );
    expect(await personBy(store, 'id', 'lane-4')).toBeUndefined();
  });

  it('writes what the Fastify route writes: the person, their history and the event', async () => {
    const r = await send(server, 'PUT', '/api/v1/customers/lane-5', '{"first_name":"Dana","n":1}', {
      ...auth,
      ...json,
      'user-agent': 'lane-test/1',
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe('{}\n');
    await send(server, 'POST', '/api/v1/customers/lane-5/events', '{"name":"signed_up"}', {
      ...auth,
      ...json,
    });
    const person = await personBy(store, 'id', 'lane-5');
    expect(person?.attributes).toEqual({ first_name: 'Dana', n: 1 });
    const history = await activitiesOf(store, person!.pid);
    expect(history.map((a) => a.type)).toEqual(['profile_create', 'attribute_change', 'event']);
    expect(history[1]!.source).toBe('track_v1:lane-test/1');
  });

  it('answers OPTIONS and HEAD on its paths through Fastify', async () => {
    const pre = await send(server, 'OPTIONS', '/api/v1/customers/lane-6', undefined, {
      origin: 'https://app.example',
      'access-control-request-method': 'PUT',
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(pre.headers['access-control-allow-methods']).toContain('PUT');
    const head = await send(server, 'HEAD', '/api/v1/customers/lane-6', undefined, auth);
    expect(head).toEqual(await send(server, 'HEAD', '/api/v1/customers/lane-6?x=1', undefined, auth));
  });

  it('serves many requests on one kept-alive connection, an error among them', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const one = (path: string, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${server.url}${path}`,
          { method: 'PUT', agent, headers: { ...auth, ...json } },
          (res) => {
            sockets.add(req.socket);
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await one(`/api/v1/customers/lane-ka-${i}`, `{"i":${i}}`));
    statuses.push(await one('/api/v1/customers/lane-ka-x', '[1]'));
    statuses.push(await one('/api/v1/customers/lane-ka-y', '{"i":1}'));
    agent.destroy();
    expect(statuses).toEqual([...Array(20).fill(200), 400, 200]);
    // The twenty answers before the error came on one connection.
    expect(sockets.size).toBeLessThanOrEqual(2);
    expect((await personBy(store, 'id', 'lane-ka-19'))?.attributes.i).toBe(19);
  });

  it('writes nothing for a request whose client goes away mid-body, and keeps serving', async () => {
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(
      `PUT /api/v1/customers/lane-gone HTTP/1.1\r\nhost: x\r\nauthorization: ${auth.authorization}\r\n` +
        'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"a":',
    );
    socket.destroy();
    await closed;
    const next = await send(server, 'PUT', '/api/v1/customers/lane-after', '{"a":1}', { ...auth, ...json });
    expect(next.status).toBe(200);
    expect(await personBy(store, 'id', 'lane-after')).toBeDefined();
    expect(await personBy(store, 'id', 'lane-gone')).toBeUndefined();
  });

  it('counts its answers in the request metrics and logs them like Fastify, with distinct ids', async () => {
    await send(server, 'PUT', '/api/v1/customers/lane-7', '{"a":1}', { ...auth, ...json });
    const metrics = await send(server, 'GET', '/metrics', undefined, {});
    const line = metrics.text
      .split('\n')
      .find((l) =>
        l.startsWith(
          'roster_http_requests_total{method="PUT",route="/api/v1/customers/:identifier",status="200"}',
        ),
      );
    expect(Number(line?.split(' ').pop())).toBeGreaterThan(0);
    const loggedNow = () =>
      server
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"incoming request"'))
        .map((l) => JSON.parse(l) as { reqId: string; req: { method: string; url: string } });
    // The server's log reaches this process through a pipe, in its own time: waited for, bounded.
    const lane = await waitFor('the lane request in the log', () =>
      loggedNow().find((l) => l.req.url === '/api/v1/customers/lane-7'),
    );
    expect(lane.req.method).toBe('PUT');
    const logged = loggedNow();
    const ids = logged.map((l) => l.reqId);
    expect(new Set(ids).size).toBe(ids.length);
    const email = logged.find((l) => l.req.url.startsWith('/api/v1/customers/[email]'));
    expect(email).toBeDefined();
  });
});
