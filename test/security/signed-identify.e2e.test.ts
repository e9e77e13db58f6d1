import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { CustomerIORequestError, TrackClient } from 'customerio-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { drain, sdk, tempStorage, type Roster } from '../sdk/helpers.js';
import { basic, bearer, call, cli, createWorkspace } from './helpers.js';

/**
 * Signed identify (docs/security.md "Signed identify"): a workspace that enforces it refuses person
 * writes sent with the public tracking key unless they carry a token its backend signed for that
 * person; `log` writes them and counts. Checked with the real @roster/sdk and customerio-node, on
 * both engines.
 */

/** What an app's backend computes (written here from the contract, not with Roster's code). */
function sign(secret: string, identifier: string, exp = Math.floor(Date.now() / 1000) + 3600): string {
  return `${exp}.${createHmac('sha256', secret).update(`${identifier}.${exp}`).digest('hex')}`;
}

describe.each(engines())('signed identify on %s', (engine) => {
  let server: ServerProcess;
  let secret: string;
  const dirs: string[] = [];
  const clients: Roster[] = [];
  const app = (method: string, p: string, body?: unknown) =>
    call(server, method, p, bearer(server.credentials), body);
  const track = (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    call(server, method, p, basic(server.credentials), body, headers);
  const person = async (id: string) => {
    const r = await app('GET', `/v1/customers/${encodeURIComponent(id)}/attributes`);
    return r.status === 200
      ? (r.json.customer as { attributes: Record<string, unknown> }).attributes
      : undefined;
  };
  const setMode = async (mode: string) => {
    const r = await app('PUT', '/v1/workspace', { settings: { identityVerification: mode } });
    expect(r.status, r.text).toBe(200);
  };
  const client = () => {
    const dir = tempStorage();
    dirs.push(dir);
    const c = sdk(server, server.url, dir);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer({ engine });
    const made = await app('POST', '/v1/workspace/identity-secret', {});
    expect(made.status, made.text).toBe(200);
    secret = made.json.identity_secret as string;
    expect(secret).toMatch(/^ivs_[0-9a-f]{64}$/);
    await setMode('enforce');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown({ timeoutMs: 1000 })));
    await server?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('never shows the secret again, and needs one before log or enforce', async () => {
    const view = await app('GET', '/v1/workspace');
    expect(view.text).not.toContain(secret);
    expect(view.json.workspace).toMatchObject({
      settings: { identityVerification: 'enforce' },
      identity_secrets: [{ created_at: expect.any(Number), retires_at: null }],
    });
    const other = await createWorkspace(server, 'no-secret');
    const r = await call(server, 'PUT', '/v1/workspace', bearer(other), {
      settings: { identityVerification: 'enforce' },
    });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/create an identity secret first/);
    const bad = await app('PUT', '/v1/workspace', { settings: { identityVerification: 'strict' } });
    expect(bad.status).toBe(400);
  });

  it('@roster/sdk: signed identities are written; unsigned or wrongly signed ones are dropped as forbidden', async () => {
    const roster = client();
    const errors: string[] = [];
    const dropped: number[] = [];
    roster.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
    roster.on('dropped', (e) => dropped.push(e.ops.length));
    // Anonymous activity needs no signature.
    await roster.track('browsed', { page: 1 });
    await roster.identify('ada', { plan: 'pro' }, { signature: sign(secret, 'ada') });
    await roster.track('purchased', { total: 3 });
    expect(await drain(roster)).toBe(0);
    expect(await person('ada')).toMatchObject({ plan: 'pro' });
    expect(errors).toEqual([]);

    // A tracking key extracted from the app, used to write as someone else: without a signature,
    // and with ada's signature.
    await roster.identify('eve', { plan: 'stolen' });
    expect(await drain(roster)).toBe(0);
    await roster.identify('mallory', { plan: 'stolen' }, { signature: sign(secret, 'ada') });
    expect(await drain(roster)).toBe(0);
    const expired = sign(secret, 'ada', Math.floor(Date.now() / 1000) - 10);
    await roster.identify('ada', { plan: 'expired' }, { signature: expired });
    expect(await drain(roster)).toBe(0);
    expect(await person('eve')).toBeUndefined();
    expect(await person('mallory')).toBeUndefined();
    expect(await person('ada')).toMatchObject({ plan: 'pro' });
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.every((e) => e.startsWith('forbidden'))).toBe(true);
    expect(dropped.length).toBeGreaterThanOrEqual(3);
  });

  it('customerio-node: 403 without the signature header, written with it', async () => {
    const plain = new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
      url: server.trackUrl,
      retry: { maxRetries: 0 },
    } as never);
    const refused = await plain.identify('node-user', { plan: 'x' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CustomerIORequestError);
    expect((refused as CustomerIORequestError).statusCode).toBe(403);
    expect((refused as CustomerIORequestError).message).toMatch(/^forbidden: /);
    // Anonymous events stay open.
    await expect(plain.trackAnonymous('anon-1', { name: 'visited' })).resolves.toEqual({});

    const signed = new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
      url: server.trackUrl,
      retry: { maxRetries: 0 },
      headers: { 'X-Roster-Identity-Signature': sign(secret, 'node-user') },
    } as never);
    await expect(signed.identify('node-user', { plan: 'node' })).resolves.toEqual({});
    await expect(signed.track('node-user', { name: 'signed_event' })).resolves.toEqual({});
    await expect(signed.addDevice('node-user', 'node-token', 'ios')).resolves.toEqual({});
    expect(await person('node-user')).toMatchObject({ plan: 'node' });
    // The same header does not open another person.
    const other = await signed.identify('someone-else', { plan: 'x' }).catch((e: unknown) => e);
    expect((other as CustomerIORequestError).statusCode).toBe(403);
  });

  it('Track v1 routes of a person answer 403 in the v1 error shape; merge and segment lists are refused', async () => {
    const unsigned = await track('PUT', '/api/v1/customers/v1-user', { plan: 'x' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.json).toEqual({
      meta: { error: expect.stringMatching(/^forbidden: this workspace requires signed identify/) },
    });
    for (const [method, p, body] of [
      ['DELETE', '/api/v1/customers/ada', undefined],
      ['POST', '/api/v1/customers/ada/suppress', {}],
      ['POST', '/api/v1/customers/ada/events', { name: 'e' }],
      ['PUT', '/api/v1/customers/ada/devices', { device: { id: 'stolen-token', platform: 'ios' } }],
      ['DELETE', '/api/v1/customers/ada/devices/node-token', undefined],
      ['POST', '/api/v1/forms/f/submit', { data: { email: 'ada@x.example' } }],
      ['POST', '/api/v1/merge_customers', { primary: { id: 'eve' }, secondary: { id: 'ada' } }],
    ] as const) {
      const r = await track(method, p, body);
      expect(r.status, `${method} ${p} ${r.text}`).toBe(403);
    }
    const seg = await app('POST', '/v1/segments', { segment: { name: 'manual' } });
    const id = (seg.json.segment as { id: number }).id;
    expect((await track('POST', `/api/v1/segments/${id}/add_customers`, { ids: ['ada'] })).status).toBe(403);
    // ada is untouched.
    expect(await person('ada')).toMatchObject({ plan: 'pro' });
    const signed = await track(
      'PUT',
      '/api/v1/customers/v1-user',
      { plan: 'v1' },
      { 'x-roster-identity-signature': sign(secret, 'v1-user') },
    );
    expect(signed.status, signed.text).toBe(200);
  });

  it('Track v2: entity answers 403; a batch writes the signed items and lists the others as forbidden (207)', async () => {
    const op = (id: string, signature?: string) => ({
      type: 'person',
      action: 'identify',
      identifiers: { id },
      attributes: { plan: 'v2' },
      ...(signature ? { identity_signature: signature } : {}),
    });
    const entity = await track('POST', '/api/v2/entity', op('v2-a'));
    expect(entity.status).toBe(403);
    expect(entity.json).toMatchObject({ errors: [{ reason: 'forbidden', field: 'identity_signature' }] });
    expect((await track('POST', '/api/v2/entity', op('v2-a', sign(secret, 'v2-a')))).status).toBe(200);
    const batch = await track('POST', '/api/v2/batch', {
      batch: [
        op('v2-b', sign(secret, 'v2-b')),
        op('v2-c'),
        op('v2-d', sign(secret, 'v2-b')),
        { type: 'person', action: 'event', identifiers: { anonymous_id: 'anon-2' }, name: 'anon' },
        op('v2-e', `${Math.floor(Date.now() / 1000) + 60}.${'0'.repeat(64)}`),
        { type: 'person', action: 'merge', primary: { id: 'v2-b' }, secondary: { id: 'ada' } },
      ],
    });
    expect(batch.status, batch.text).toBe(207);
    const errors = batch.json.errors as Array<{ batch_index: number; reason: string; message: string }>;
    expect(errors.map((e) => [e.batch_index, e.reason])).toEqual([
      [1, 'forbidden'],
      [2, 'forbidden'],
      [4, 'forbidden'],
      [5, 'forbidden'],
    ]);
    expect(errors.every((e) => e.message.startsWith('forbidden:'))).toBe(true);
    expect(await person('v2-b')).toMatchObject({ plan: 'v2' });
    for (const id of ['v2-c', 'v2-d', 'v2-e']) expect(await person(id)).toBeUndefined();
  });

  it('log mode writes unsigned identities and counts them in /metrics', async () => {
    await setMode('log');
    try {
      expect((await track('PUT', '/api/v1/customers/logged-user', { plan: 'log' })).status).toBe(200);
      expect(await person('logged-user')).toMatchObject({ plan: 'log' });
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(
          `roster_identity_signature_checks_total\\{[^}]*mode="log"[^}]*verdict="missing"[^}]*\\} [1-9]`,
        ),
      );
    } finally {
      await setMode('enforce');
    }
  });

  it('rotation: the previous secret is accepted during the overlap, then only the new one', async () => {
    const first = secret;
    const rotated = await app('POST', '/v1/workspace/identity-secret', { overlap_seconds: 3600 });
    expect(rotated.status, rotated.text).toBe(200);
    const second = rotated.json.identity_secret as string;
    expect(rotated.json.previous_retires_at).toBeGreaterThan(Date.now() / 1000);
    const put = (id: string, s: string) =>
      track('PUT', `/api/v1/customers/${id}`, { plan: 'r' }, { 'x-roster-identity-signature': sign(s, id) });
    expect((await put('rot-1', first)).status).toBe(200);
    expect((await put('rot-2', second)).status).toBe(200);
    // The CLI rotates too; with no overlap the secret before it stops at once.
    const out = JSON.parse(
      await cli(
        server,
        'workspace',
        'identity-secret',
        server.credentials.siteId,
        '--overlap',
        '0',
        '--json',
      ),
    ) as { identity_secret: string };
    secret = out.identity_secret;
    expect((await put('rot-3', second)).status).toBe(403);
    expect((await put('rot-4', first)).status).toBe(403);
    expect((await put('rot-5', secret)).status).toBe(200);
  });

  it('off: the CLI turns it off and unsigned writes go through again', async () => {
    const out = await cli(
      server,
      'workspace',
      'identity-verification',
      server.credentials.siteId,
      'off',
      '--json',
    );
    expect(JSON.parse(out)).toMatchObject({ identity_verification: 'off' });
    expect((await track('PUT', '/api/v1/customers/after-off', { plan: 'off' })).status).toBe(200);
  });
});
