import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { rawRequest } from './raw-http.js';

/**
 * Writes a whole request at once, as fetch and the official clients do (they do not stop sending
 * when an answer arrives), and reads until the server closes. `reset` when the connection was
 * reset before any answer could be read.
 */
function sendWhole(
  url: string,
  head: string,
  body: Buffer,
): Promise<{ status: number; json: unknown } | 'reset'> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const data = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
      if (!status) return resolve('reset');
      resolve({ status, json: JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4)) });
    });
    socket.write(head);
    socket.write(body);
  });
}

/**
 * The HTTP layer's edges (docs/security.md "HTTP limits"), each a finding of the December review:
 * what a client that is slow, malformed, unauthenticated or oversized gets back. A real
 * `roster serve` on loopback, spoken to byte for byte.
 */
describe('HTTP edges', () => {
  let server: ServerProcess;
  const app = () => ({ authorization: `Bearer ${server.credentials.appApiKey}` });

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  // The App API once authenticated after parsing, so a stranger could make it parse 1 MB.
  it('authenticates App API requests before reading their bodies', async () => {
    for (const body of ['{bad', JSON.stringify({ pad: 'x'.repeat(2_000_000) })]) {
      const res = await rawRequest(server.url, {
        method: 'POST',
        path: '/v1/customers',
        headers: [['content-type', 'application/json']],
        body,
      });
      expect(res?.status).toBe(401);
      expect(JSON.parse(res!.body.toString())).toMatchObject({ errors: [{ status: '401' }] });
    }
    const nul = await rawRequest(server.url, { method: 'GET', path: '/v1/customers/a%00b/attributes' });
    expect(nul?.status).toBe(401);
    // With the key, the same requests are judged on their content.
    const bad = await rawRequest(server.url, {
      method: 'POST',
      path: '/v1/customers',
      headers: [['content-type', 'application/json'], ...Object.entries(app())],
      body: '{bad',
    });
    expect(bad?.status).toBe(400);
  });

  // An oversized or unauthenticated body was sometimes answered with a reset: the
  // server closed while the client was still sending. It now reads the rest (bounded) first.
  it('answers an oversized or refused body with its JSON error, never a reset', async () => {
    const { siteId, apiKey } = server.credentials;
    const basic = Buffer.from(`${siteId}:${apiKey}`).toString('base64');
    const body = Buffer.alloc(3 * 1024 * 1024, 'a');
    const head = (path: string, auth: string) =>
      `PUT ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
      `${auth}content-length: ${body.length}\r\n\r\n`;
    for (let i = 0; i < 10; i++) {
      const big = await sendWhole(
        server.url,
        head('/api/v1/customers/a', `authorization: Basic ${basic}\r\n`),
        body,
      );
      expect(big).toEqual({ status: 413, json: { meta: { error: 'request body is too large' } } });
      const stranger = await sendWhole(server.url, head('/api/v1/customers/a', ''), body);
      expect(stranger).toEqual({ status: 401, json: { meta: { error: 'Unauthorized request' } } });
      const app = await sendWhole(server.url, head('/v1/segments/1', ''), body);
      expect(app).toMatchObject({ status: 401, json: { errors: [{ status: '401' }] } });
    }
  });
});
