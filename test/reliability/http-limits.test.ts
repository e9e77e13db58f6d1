import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { rawRequest } from './raw-http.js';

/** Opens a connection, writes `head`, and resolves with everything read until the server closed. */
function slowClient(url: string, head: string): { answer: Promise<string>; socket: net.Socket } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) =>
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8'))),
  );
  socket.write(head);
  return { answer, socket };
}

function parse(raw: string): { status: number; headers: string; json: unknown } {
  const end = raw.indexOf('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]),
    headers: raw.slice(0, end).toLowerCase(),
    json: JSON.parse(raw.slice(end + 4)),
  };
}

/**
 * Request limits and Roster's error shapes outside the routes (docs/security.md "HTTP limits"):
 * bodies, headers and URLs over their limits, and the shapes of the errors that refuse them.
 */
describe('HTTP limits', () => {
  const servers: ServerProcess[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const s = await startServer({ env });
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.cleanup();
  });

  // A client that sends a body byte by byte must be timed out (docs/security.md "HTTP limits").
  it('answers a request that does not arrive whole in time with a JSON 408 and closes it', async () => {
    const server = await start({ ROSTER_REQUEST_TIMEOUT_SECONDS: '1' });
    const { siteId, apiKey } = server.credentials;
    const basic = Buffer.from(`${siteId}:${apiKey}`).toString('base64');
    const { answer } = slowClient(
      server.url,
      `PUT /api/v1/customers/slow HTTP/1.1\r\nhost: x\r\nauthorization: Basic ${basic}\r\n` +
        'content-type: application/json\r\ncontent-length: 100000\r\n\r\n{',
    );
    const res = parse(await answer);
    expect(res.status).toBe(408);
    // In the Track API's shape, as its clients read errors.
    expect(res.json).toEqual({ meta: { error: expect.stringContaining('did not arrive whole in time') } });
  });

  // One such client must not keep a SIGTERM'd server alive for as long as it stays connected.
  it('exits after its shutdown grace period even while a client is still sending', async () => {
    const server = await start({ ROSTER_REQUEST_TIMEOUT_SECONDS: '600', ROSTER_SHUTDOWN_GRACE_SECONDS: '1' });
    const { answer, socket } = slowClient(
      server.url,
      'PUT /api/v1/customers/slow HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n{',
    );
    await new Promise<void>((resolve) => socket.write(' ', () => resolve()));
    expect(await server.kill('SIGTERM')).toBe(0);
    await answer; // the connection was closed by the server, not by us
    expect(socket.destroyed || socket.readableEnded).toBe(true);
    socket.destroy();
  });

  // 431 and malformed requests are answered in Roster's shape, not Fastify's.
  it("answers oversized headers and malformed requests in Roster's error shape", async () => {
    const server = await start();
    const big = await rawRequest(server.url, {
      method: 'GET',
      path: '/v1/segments',
      headers: [['x-pad', 'a'.repeat(20_000)]],
    });
    expect(big?.status).toBe(431);
    expect(JSON.parse(big!.body.toString())).toMatchObject({
      errors: [{ status: '431' }],
      meta: { error: expect.stringContaining('request headers are larger than 16 KB') },
    });
    for (const [head, problem] of [
      ['POST /api/v1/events HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n', 'content-length'],
      [
        'POST /api/v1/events HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n',
        'content-length',
      ],
      ['BR3W /v1/segments HTTP/1.1\r\nhost: x\r\n\r\n', 'method'],
    ] as const) {
      const res = parse(await slowClient(server.url, head).answer);
      expect(res.status, head).toBe(400);
      expect(res.json, head).toMatchObject({
        errors: [{ status: '400', code: 'malformed' }],
        meta: { error: expect.stringContaining(problem) },
      });
    }
  });

  // `//v1/...` once served the dashboard; the region answer reflected
  // the Host header; Track's 401 named no scheme.
  it('keeps API paths JSON, does not reflect Host, and names the auth scheme on 401', async () => {
    const server = await start({ ROSTER_PUBLIC_URL: 'https://roster.example.com' });
    const { siteId, apiKey, appApiKey } = server.credentials;
    for (const path of ['//v1//segments', '//v1/segments', '//api/v1/accounts/region']) {
      const res = await rawRequest(server.url, {
        method: 'GET',
        path,
        headers: [
          ['accept', 'text/html'],
          ['authorization', `Bearer ${appApiKey}`],
        ],
      });
      expect(res?.status, path).toBe(404);
      expect(res?.headers['content-type'], path).toMatch(/^application\/json/);
    }
    const basic = Buffer.from(`${siteId}:${apiKey}`).toString('base64');
    for (const host of ['evil.example', 'evil.example"><script>']) {
      const region = parse(
        await slowClient(
          server.url,
          `GET /api/v1/accounts/region HTTP/1.1\r\nhost: ${host}\r\nauthorization: Basic ${basic}\r\n` +
            'connection: close\r\n\r\n',
        ).answer,
      );
      expect(region.status).toBe(200);
      expect(region.json).toMatchObject({ url: 'https://roster.example.com' });
    }
    const track = await rawRequest(server.url, { method: 'GET', path: '/api/v1/accounts/region' });
    expect(track?.status).toBe(401);
    expect(track?.headers['www-authenticate']).toBe('Basic realm="Roster Track API"');
    const app = await rawRequest(server.url, { method: 'GET', path: '/v1/segments' });
    expect(app?.status).toBe(401);
    expect(app?.headers['www-authenticate']).toBe('Bearer realm="Roster App API"');
  });
});
