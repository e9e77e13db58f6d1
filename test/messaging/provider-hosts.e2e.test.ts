import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApnsKey, makeServiceAccount } from '../fakes/push-credentials.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appCall, trackCall, waitFor } from './helpers.js';

/**
 * Push-provider settings (`endpoint`, `token_uri`, APNs `host`) may name only
 * the real providers' hosts unless the operator allows more (ROSTER_PUSH_PROVIDER_HOSTS), and what
 * a provider host answers is never copied into a message record beyond a short error code.
 */

type ErrorBody = { errors?: Array<{ detail: string; source?: { pointer?: string } }> };

/** Answers everything with 400 and a body that must never be read back through the App API. */
async function leakyHost(): Promise<{ origin: string; hits: () => number; stop: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`SECRET-INTERNAL-RESPONSE: db_password=hunter2 ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('push provider hosts', () => {
  let strict: ServerProcess;
  let open: ServerProcess;
  let leak: Awaited<ReturnType<typeof leakyHost>>;

  beforeAll(async () => {
    leak = await leakyHost();
    // The default: only APNs' and FCM's own hosts.
    strict = await startServer({ env: { ROSTER_PUSH_PROVIDER_HOSTS: '' } });
    // An operator who allows a loopback provider (the test helpers' default).
    open = await startServer();
  }, 120_000);

  afterAll(async () => {
    await strict?.cleanup();
    await open?.cleanup();
    await leak?.stop();
  });

  it('refuses settings that aim at other hosts, naming the field and the setting', async () => {
    const account = makeServiceAccount(`${leak.origin}/internal/admin?x=1`);
    const apns = makeApnsKey();
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['fcm', { service_account: account.json }, '/token_uri'],
      [
        'fcm',
        { service_account: { ...account.json, token_uri: undefined }, token_uri: `${leak.origin}/t` },
        '/token_uri',
      ],
      [
        'fcm',
        {
          service_account: { ...account.json, token_uri: 'https://oauth2.googleapis.com/token' },
          endpoint: leak.origin,
        },
        '/endpoint',
      ],
      ['fcm', { service_account: { ...account.json, token_uri: 'file:///etc/passwd' } }, '/token_uri'],
      [
        'apns',
        {
          key_p8: apns.privateKeyPem,
          key_id: apns.keyId,
          team_id: apns.teamId,
          topic: 't',
          host: leak.origin,
        },
        '/host',
      ],
      [
        'apns',
        {
          key_p8: apns.privateKeyPem,
          key_id: apns.keyId,
          team_id: apns.teamId,
          topic: 't',
          host: 'http://api.push.apple.com',
        },
        '/host',
      ],
    ];
    for (const [kind, body, pointer] of cases) {
      const r = await appCall<ErrorBody>(strict, 'PUT', `/v1/workspace/push-providers/${kind}`, body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.errors?.[0]?.source?.pointer).toBe(pointer);
    }
    const named = await appCall<ErrorBody>(strict, 'PUT', '/v1/workspace/push-providers/fcm', {
      service_account: account.json,
    });
    expect(named.body.errors?.[0]?.detail).toMatch(/ROSTER_PUSH_PROVIDER_HOSTS/);
    // The real providers' hosts (the defaults) are fine.
    const real = await appCall(strict, 'PUT', '/v1/workspace/push-providers/fcm', {
      service_account: { ...account.json, token_uri: 'https://oauth2.googleapis.com/token' },
    });
    expect(real.status).toBe(200);
    const realApns = await appCall(strict, 'PUT', '/v1/workspace/push-providers/apns', {
      key_p8: apns.privateKeyPem,
      key_id: apns.keyId,
      team_id: apns.teamId,
      topic: 't',
      production: true,
    });
    expect(realApns.status).toBe(200);
    expect(leak.hits()).toBe(0);
  });

  it("keeps a provider host's answer out of the message record", async () => {
    const account = makeServiceAccount(`${leak.origin}/internal/admin?x=1`);
    const saved = await appCall(open, 'PUT', '/v1/workspace/push-providers/fcm', {
      service_account: account.json,
      endpoint: leak.origin,
    });
    expect(saved.status).toBe(200);
    expect(
      (await appCall(open, 'POST', '/v1/transactional', { name: 'ping', title: 'P', message: 'M' })).status,
    ).toBe(200);
    expect(
      (
        await trackCall(open, 'PUT', '/api/v1/customers/leaky/devices', {
          device: { id: 'fcm-leaky', platform: 'android' },
        })
      ).status,
    ).toBe(200);
    const sent = await appCall<{ delivery_id: string }>(open, 'POST', '/v1/send/push', {
      identifiers: { id: 'leaky' },
      transactional_message_id: 'ping',
    });
    expect(sent.status).toBe(200);
    const message = await waitFor('the push to fail', async () => {
      const r = await appCall<{ messages: Array<{ id: string; failure_message?: string | null }> }>(
        open,
        'GET',
        '/v1/messages?limit=10',
      );
      return r.body.messages.find((m) => m.failure_message);
    });
    expect(leak.hits()).toBeGreaterThan(0);
    expect(message.failure_message).toMatch(/OAuth grant refused \(HTTP 400\)/);
    expect(message.failure_message).not.toMatch(/SECRET|hunter2|internal\/admin/);
  });
});
