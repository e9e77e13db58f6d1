import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import {
  basic,
  devicesOf,
  eventsOf,
  openServerStore,
  personBy,
  send,
  startTrackServer,
  type Answer,
  trackClient,
} from '../track/helpers.js';

const run = promisify(execFile);
const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

/** The count of refused (400) event writes in a `/metrics` answer. */
async function value400(answer: Promise<Answer>): Promise<number> {
  const prefix =
    'roster_http_requests_total{method="POST",route="/api/v1/customers/:identifier/events",status="400"}';
  const line = (await answer).text.split('\n').find((l) => l.startsWith(prefix));
  return Number(line?.split(' ').pop() ?? 0);
}

/** Writes `bytes` on one connection and resolves with everything read until the server closes it. */
function rawExchange(server: ServerProcess, bytes: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * A review of the Track fast lane (http/fast-lane.ts) against what Fastify's routes did before it:
 * identify and event requests over real connections to a real server process are answered by the
 * lane, the same request with a query string by Fastify. Each case here is one a user or an
 * attacker can send; the answer must be Fastify's and the store must hold what Fastify would have
 * written (docs/security.md "Track fast lane").
 */
describe.each(engines())('Track fast lane review on %s', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let auth: Record<string, string>;
  const json = { 'content-type': 'application/json' };
  /** The same request through the lane and through Fastify (a query string sends it there). */
  const both = async (
    method: string,
    target: string,
    body: string | undefined,
    headers: Record<string, string>,
  ) => {
    const lane = await send(server, method, target, body, headers);
    const fastify = await send(server, method, `${target}?via=fastify`, body, headers);
    return { lane, fastify };
  };

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    store = await openServerStore(server);
    auth = { authorization: basic(server.credentials.siteId, server.credentials.apiKey) };
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  it.each([
    ['a prototype key', '{"__proto__":{"polluted":1}}'],
    ['a nested prototype key', '{"plan":{"__proto__":{"polluted":1}}}'],
    ['an escaped prototype key', '{"\\u005f_proto__":{"polluted":1}}'],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"polluted":1}}}'],
  ])('refuses %s with the 400 Fastify gives, writing nothing', async (_name, body) => {
    const id = `proto-${engine}-${body.length}`;
    const { lane, fastify } = await both('PUT', `/api/v1/customers/${id}`, body, { ...auth, ...json });
    expect(lane.status).toBe(400);
    expect(lane).toEqual(fastify);
    expect(JSON.parse(lane.text)).toEqual({ meta: { errors: [expect.stringMatching(/forbidden key/)] } });
    const event = await both('POST', `/api/v1/customers/${id}/events`, `{"name":"e","data":${body}}`, {
      ...auth,
      ...json,
    });
    expect(event.lane.status).toBe(400);
    expect(event.lane).toEqual(event.fastify);
    const device = await both(
      'PUT',
      `/api/v1/customers/${id}/devices`,
      `{"device":{"id":"tok-${id}","platform":"ios","attributes":${body}}}`,
      { ...auth, ...json },
    );
    expect(device.lane.status).toBe(400);
    expect(device.lane).toEqual(device.fastify);
    expect(await personBy(store, 'id', id)).toBeUndefined();
  });

  it.each([
    [
      'an app key in place of the tracking key',
      () => basic(server.credentials.siteId, server.credentials.appApiKey),
    ],
    ['another site id', () => basic('0123456789abcdef0123', server.credentials.apiKey)],
    ['the key without a site id', () => basic('', server.credentials.apiKey)],
    ['a site id alone', () => `Basic ${Buffer.from(server.credentials.siteId).toString('base64')}`],
    ['a Bearer key', () => `Bearer ${server.credentials.apiKey}`],
    ['base64 that is not', () => 'Basic %%%'],
  ])('answers %s 401 as Fastify does, writing nothing', async (_name, header) => {
    const id = `auth-${engine}-${_name.length}`;
    const { lane, fastify } = await both('PUT', `/api/v1/customers/${id}`, '{"a":1}', {
      authorization: header(),
      ...json,
    });
    expect(lane.status).toBe(401);
    expect(lane.headers['www-authenticate']).toBe('Basic realm="Roster Track API"');
    expect(lane).toEqual(fastify);
    expect(await personBy(store, 'id', id)).toBeUndefined();
  });

  it('accepts the scheme in any case, as Fastify does', async () => {
    const lower = { authorization: auth.authorization!.replace('Basic', 'basic'), ...json };
    expect((await send(server, 'PUT', '/api/v1/customers/auth-case', '{"a":1}', lower)).status).toBe(200);
    expect((await personBy(store, 'id', 'auth-case'))?.attributes).toEqual({ a: 1 });
  });

  it.each([
    ['an encoded slash', 'a%2Fb', 'a/b'],
    ['unicode', '%C3%A9t%C3%A9-%F0%9F%98%80', 'été-😀'],
    ['a space', 'a%20b', 'a b'],
    ['an encoded percent', '100%25', '100%'],
    ['an id at the path limit', 'x'.repeat(2048), undefined],
    ['an id over the path limit', 'x'.repeat(2049), undefined],
    ['a malformed escape', '%E0%A4%A', undefined],
    ['a trailing slash', 'slash-1/', undefined],
  ])('answers an identifier with %s as Fastify does', async (_name, segment, stored) => {
    const { lane, fastify } = await both('PUT', `/api/v1/customers/${segment}`, '{"k":1}', {
      ...auth,
      ...json,
    });
    expect(lane).toEqual(fastify);
    if (stored !== undefined) {
      expect(lane.status).toBe(200);
      expect((await personBy(store, 'id', stored))?.attributes).toEqual({ k: 1 });
    }
  });

  it('writes a device as the Fastify route does, and answers a refused one as it does', async () => {
    const body = '{"device":{"id":"tok-lane-1","platform":"android","attributes":{"app_version":"3"}}}';
    const { lane, fastify } = await both('PUT', '/api/v1/customers/dev-1/devices', body, {
      ...auth,
      ...json,
    });
    expect(lane.status).toBe(200);
    expect(lane).toEqual(fastify);
    const person = await personBy(store, 'id', 'dev-1');
    expect((await devicesOf(store, person!.pid)).map((d) => d.token)).toContain('tok-lane-1');
    const refused = await both('PUT', '/api/v1/customers/dev-1/devices', '{"device":{"platform":"ios"}}', {
      ...auth,
      ...json,
    });
    expect(refused.lane.status).toBe(400);
    expect(refused.lane).toEqual(refused.fastify);
  });

  it('answers Expect: 100-continue and writes the body sent after it', async () => {
    const r = await send(server, 'PUT', '/api/v1/customers/continue-1', '{"plan":"late"}', {
      ...auth,
      ...json,
      expect: '100-continue',
    });
    expect(r.status).toBe(200);
    expect((await personBy(store, 'id', 'continue-1'))?.attributes).toEqual({ plan: 'late' });
  });

  it('writes a chunked body (which Fastify answers) as the lane writes a sized one', async () => {
    const r = await send(server, 'PUT', '/api/v1/customers/chunked-1', '{"plan":"chunked"}', {
      ...auth,
      ...json,
      'transfer-encoding': 'chunked',
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe('{}\n');
    expect((await personBy(store, 'id', 'chunked-1'))?.attributes).toEqual({ plan: 'chunked' });
  });

  it('answers pipelined requests in order, a lane success then an error handed to Fastify', async () => {
    const head = (target: string, length: number) =>
      `PUT ${target} HTTP/1.1\r\nhost: x\r\nauthorization: ${auth.authorization}\r\n` +
      `content-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    const good = '{"pipelined":true}';
    const bad = '{"a":';
    const pipeline = (query: string) =>
      rawExchange(
        server,
        head(`/api/v1/customers/pipe-good${query}`, good.length) +
          good +
          head(`/api/v1/customers/pipe-bad${query}`, bad.length) +
          bad,
      );
    const statuses = (answer: string) =>
      [...answer.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
    const lane = await pipeline('');
    // Fastify closes the connection after a 400 for a bad body: the lane hands it that answer.
    expect(statuses(lane)).toEqual([200, 400]);
    expect(statuses(await pipeline('?via=fastify'))).toEqual([200, 400]);
    expect(lane).toContain('request body is not valid JSON');
    expect((await personBy(store, 'id', 'pipe-good'))?.attributes).toEqual({ pipelined: true });
    expect(await personBy(store, 'id', 'pipe-bad')).toBeUndefined();
  });

  it('answers a body larger than its Content-Length says by the declared bytes only, as Fastify does', async () => {
    // Node reads the declared length as the body and the rest as the next request.
    const body = '{"a":1}';
    const answer = await rawExchange(
      server,
      `PUT /api/v1/customers/short-1 HTTP/1.1\r\nhost: x\r\nauthorization: ${auth.authorization}\r\n` +
        `content-type: application/json\r\ncontent-length: 4\r\nconnection: close\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(await personBy(store, 'id', 'short-1')).toBeUndefined();
  });

  it('counts and times its answers in /metrics, one per request', async () => {
    const series = async () => {
      const text = (await send(server, 'GET', '/metrics', undefined, {})).text;
      const value = (prefix: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(prefix))
            ?.split(' ')
            .pop() ?? 0,
        );
      return {
        count: value(
          'roster_http_requests_total{method="POST",route="/api/v1/customers/:identifier/events",status="200"}',
        ),
        timed: value(
          'roster_http_request_duration_seconds_count{method="POST",route="/api/v1/customers/:identifier/events"}',
        ),
      };
    };
    const before = await series();
    for (let i = 0; i < 3; i++)
      expect(
        (await send(server, 'POST', '/api/v1/customers/m-1/events', '{"name":"m"}', { ...auth, ...json }))
          .status,
      ).toBe(200);
    const after = await series();
    expect(after.count - before.count).toBe(3);
    expect(after.timed - before.timed).toBe(3);
    // A request the lane read and handed to Fastify is counted once, with Fastify's status.
    const refused = () => value400(send(server, 'GET', '/metrics', undefined, {}));
    const was = await refused();
    expect(
      (await send(server, 'POST', '/api/v1/customers/m-1/events', '{"data":5}', { ...auth, ...json })).status,
    ).toBe(400);
    expect((await refused()) - was).toBe(1);
  });

  it("logs the lane's requests with email addresses redacted from the URL, as Fastify's", async () => {
    expect(
      (await send(server, 'PUT', '/api/v1/customers/dana%40example.com', '{}', { ...auth, ...json })).status,
    ).toBe(200);
    // The log is written by the server process after the answer: wait for the line.
    await waitFor('the lane request logged', () =>
      server
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"incoming request"'))
        .map((l) => JSON.parse(l) as { req: { url: string; method: string } })
        .some((l) => l.req.url === '/api/v1/customers/[email]' && l.req.method === 'PUT'),
    );
    expect(server.output()).not.toContain('dana');
  });

  it('answers customerio-node as before', async () => {
    const cio = trackClient(server);
    await cio.identify('node-1', { email: 'node-1@example.com', plan: 'pro' });
    await cio.track('node-1', { name: 'purchased', data: { price: 5 } });
    const person = await personBy(store, 'id', 'node-1');
    expect(person?.attributes).toMatchObject({ plan: 'pro' });
    expect((await eventsOf(store, person!.pid)).map((e) => e.name)).toContain('purchased');
  });

  it('has committed every write it answered 200 when the server is killed right after', async () => {
    const answered: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await send(server, 'PUT', `/api/v1/customers/crash-${i}`, `{"i":${i}}`, { ...auth, ...json });
      if (r.status === 200) answered.push(`crash-${i}`);
    }
    await server.kill('SIGKILL');
    await store.close();
    server = await server.restart();
    store = await openServerStore(server);
    expect(answered).toHaveLength(10);
    for (const id of answered) expect(await personBy(store, 'id', id), id).toBeDefined();
  });

  it('stops taking a tracking key rotated by the roster CLI, another process on the same store', async () => {
    const where = server.databaseUrl ? ['--database-url', server.databaseUrl] : ['--data', server.dataDir];
    const old = { authorization: basic(server.credentials.siteId, server.credentials.apiKey), ...json };
    expect((await send(server, 'PUT', '/api/v1/customers/rot-0', '{}', old)).status).toBe(200);
    const out = await run(process.execPath, [
      CLI,
      'workspace',
      'rotate-keys',
      server.credentials.siteId,
      '--json',
      ...where,
    ]);
    const { apiKey } = JSON.parse(out.stdout) as { apiKey: string };
    // Another process's commit is seen within a few milliseconds (SQLite: docs/scaling.md; PostgreSQL:
    // its NOTIFY): wait for the refusal, then it must stay refused and write nothing.
    let n = 0;
    await waitFor(
      'the rotated-out key to be refused',
      async () => (await send(server, 'PUT', `/api/v1/customers/rot-old-${++n}`, '{}', old)).status === 401,
      10_000,
      5,
    );
    expect(await personBy(store, 'id', `rot-old-${n}`)).toBeUndefined();
    expect((await send(server, 'PUT', '/api/v1/customers/rot-old-x', '{}', old)).status).toBe(401);
    const fresh = { authorization: basic(server.credentials.siteId, apiKey), ...json };
    expect((await send(server, 'PUT', '/api/v1/customers/rot-new', '{"k":2}', fresh)).status).toBe(200);
    expect((await personBy(store, 'id', 'rot-new'))?.attributes).toEqual({ k: 2 });
    server.credentials.apiKey = apiKey;
  });
});
