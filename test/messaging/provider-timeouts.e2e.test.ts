import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeServiceAccount } from '../fakes/push-credentials.js';
import { startServer, type ServerCredentials, type ServerProcess } from '../helpers/server-process.js';
import { createWorkspace } from '../security/helpers.js';
import { appCall, configureProviders, startFakes, waitFor, type Fakes } from './helpers.js';

/**
 * A push provider that accepts connections and never answers. Workspace B's
 * FCM settings (token endpoint and send endpoint) point at such a host; workspace A's at a working
 * fake. A's pushes go out while B's token request is still unanswered, and SIGTERM ends the server
 * without waiting for it. (Before: the OAuth exchange had no timeout and the worker waited for its
 * whole batch, so A's push waited 300 s, and SIGTERM 238 s.)
 */

/** Accepts every request and never answers; counts what it holds and what its clients gave up. */
class HangingProvider {
  private server: http.Server | undefined;
  origin = '';
  received = 0;
  closed = 0;
  async start(): Promise<this> {
    const server = http.createServer((req) => {
      this.received++;
      req.socket.on('close', () => this.closed++);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.server = server;
    return this;
  }
  get open(): number {
    return this.received - this.closed;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('a push provider that never answers (sqlite)', () => {
  let server: ServerProcess;
  let fakes: Fakes;
  let hang: HangingProvider;
  let B: ServerCredentials;

  const bCall = (method: string, path: string, body?: unknown) =>
    appCall(server, method, path, body, B.appApiKey);
  const bTrack = async (method: string, path: string, body: unknown) => {
    const auth = Buffer.from(`${B.siteId}:${B.apiKey}`).toString('base64');
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return res.status;
  };

  beforeAll(async () => {
    fakes = await startFakes();
    hang = await new HangingProvider().start();
    server = await startServer();
    await configureProviders(server, fakes);
    B = await createWorkspace(server, 'B');
    const account = makeServiceAccount(`${hang.origin}/token`, 'hanging');
    const fcm = await bCall('PUT', '/v1/workspace/push-providers/fcm', {
      service_account: account.json,
      endpoint: hang.origin,
    });
    expect(fcm.status).toBe(200);
    for (const [name, body] of [
      ['/v1/transactional', { name: 'ping', title: 'Ping', message: 'Hello' }],
    ] as const) {
      expect((await appCall(server, 'POST', name, body)).status).toBe(200);
      expect((await bCall('POST', name, body)).status).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
    await hang?.stop();
    await fakes?.stop();
  });

  it("delivers workspace A's push while B's token request hangs, and stops on SIGTERM", async () => {
    expect(
      await bTrack('PUT', '/api/v1/customers/bob/devices', {
        device: { id: 'fcm-b-hang', platform: 'android' },
      }),
    ).toBe(200);
    const sentB = await bCall('POST', '/v1/send/push', {
      identifiers: { id: 'bob' },
      transactional_message_id: 'ping',
    });
    expect(sentB.status).toBe(200);
    // B's OAuth token exchange reaches the hanging host and waits there.
    await waitFor("B's token request at the hanging host", () => hang.open > 0);

    const auth = Buffer.from(`${server.credentials.siteId}:${server.credentials.apiKey}`).toString('base64');
    await fetch(`${server.url}/api/v1/customers/alice/devices`, {
      method: 'PUT',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ device: { id: 'fcm-a-ok', platform: 'android' } }),
    });
    const sentA = await appCall(server, 'POST', '/v1/send/push', {
      identifiers: { id: 'alice' },
      transactional_message_id: 'ping',
    });
    expect(sentA.status).toBe(200);
    await waitFor("A's push at its provider", () => fakes.fcm.received.some((r) => r.token === 'fcm-a-ok'));
    // ...while B's first request was still unanswered: nobody waited for it.
    expect(hang.closed).toBe(0);
    expect(hang.open).toBeGreaterThan(0);

    // Shutdown does not wait for the hanging call either.
    const code = await server.kill('SIGTERM');
    expect(code).toBe(0);
    await waitFor('the hanging connection to be dropped', () => hang.open === 0);
  });
});
