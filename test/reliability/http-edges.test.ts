import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { rawRequest } from './raw-http.js';

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

  // Finding 16: the App API authenticated after parsing, so a stranger could make it parse 1 MB.
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
});
