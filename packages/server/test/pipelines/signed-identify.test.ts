import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services/services.js';
import { signIdentity } from '../../src/services/identity/verify.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * Signed identify on the Pipelines wire (docs/security.md): with `enforce`, an event naming a person
 * through the public write key needs `context.identity_signature`; refused events are dropped from
 * a batch and listed (200), a single call answers 403; the server write key and anonymous events
 * are exempt.
 */
describe('Pipelines signed identify', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let writeKey: string;
  let serverWriteKey: string;
  let secret: string;
  let appKey: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-signed-'));
    store = await openStore({ dataDir: dir });
    ({ app, services } = await buildApp({ store }));
    const { workspace, credentials } = await services.workspaces.create({ name: 'Signed' });
    writeKey = credentials.writeKey!;
    appKey = credentials.appApiKey;
    serverWriteKey = (await services.workspaces.rotateWriteKeys(workspace.siteId, { serverWrite: true }))
      .serverWriteKey!;
    secret = (await services.workspaces.rotateIdentitySecret(workspace.id, 0)).secret;
    await services.workspaces.updateSettings(workspace.id, { settings: { identityVerification: 'enforce' } });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, body: unknown, key = writeKey) =>
    app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(body),
      headers: {
        'content-type': 'text/plain',
        authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      },
    });
  const attrs = async (id: string) => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/customers/${id}/attributes`,
      headers: { authorization: `Bearer ${appKey}` },
    });
    return res.statusCode === 200
      ? (res.json() as { customer: { attributes: Record<string, string> } }).customer
      : undefined;
  };

  it('signed events are written, unsigned ones dropped and listed, anonymous ones allowed', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const res = await post('/v1/batch', {
      batch: [
        {
          type: 'identify',
          userId: 'signed-1',
          traits: { ok: 1 },
          context: { identity_signature: signIdentity(secret, 'signed-1', exp) },
        },
        { type: 'identify', userId: 'unsigned-1', traits: { ok: 1 }, messageId: 'unsigned-msg' },
        {
          type: 'identify',
          userId: 'forged-1',
          traits: { ok: 1 },
          context: { identity_signature: signIdentity('wrong', 'forged-1', exp) },
        },
        { type: 'track', anonymousId: 'visitor-1', event: 'Viewed', properties: {} },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(await attrs('signed-1')).toBeDefined();
    expect(await attrs('unsigned-1')).toBeUndefined();
    expect(await attrs('forged-1')).toBeUndefined();
    const errors = await app.inject({
      method: 'GET',
      url: '/v1/pipelines/errors',
      headers: { authorization: `Bearer ${appKey}` },
    });
    const list = (
      errors.json() as { errors: Array<{ message_id: string | null; reason: string; message: string }> }
    ).errors;
    expect(list.find((e) => e.message_id === 'unsigned-msg')).toMatchObject({
      reason: 'forbidden',
      message: expect.stringContaining('forbidden:'),
    });
  });

  it('a single call without a signature answers 403; the server write key needs none', async () => {
    const single = await post('/v1/identify', { userId: 'single-unsigned', traits: {} });
    expect(single.statusCode).toBe(403);
    expect(single.json()).toEqual({ meta: { error: expect.stringContaining('forbidden:') } });
    const server = await post('/v1/identify', { userId: 'from-backend', traits: {} }, serverWriteKey);
    expect(server.statusCode).toBe(200);
    expect(await attrs('from-backend')).toBeDefined();
  });
});
