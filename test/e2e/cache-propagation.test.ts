import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';

/**
 * PostgreSQL servers keep workspaces and their key hashes in memory (services/workspace-cache.ts).
 * A change made through one server reaches the other by NOTIFY: the wait below is bounded well
 * under the cache's 10 s fallback, so it passes only when the notification did the work.
 */
const PROPAGATION_BOUND_MS = 8_000;
const run = promisify(execFile);
const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

describe.runIf(postgresAvailable())('workspace changes reach every server on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase('cache');
    const credentials = randomCredentials();
    a = await startServer({ engine: 'postgres', databaseUrl: db.url, credentials });
    b = await startServer({ engine: 'postgres', databaseUrl: db.url, credentials });
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await db?.drop();
  });

  const basic = (siteId: string, key: string) =>
    `Basic ${Buffer.from(`${siteId}:${key}`).toString('base64')}`;
  const identify = (s: ServerProcess, key: string, id: string, body: unknown) =>
    fetch(`${s.url}/api/v1/customers/${id}`, {
      method: 'PUT',
      headers: { authorization: basic(s.credentials.siteId, key), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const app = (s: ServerProcess, key: string, method: string, path: string, body?: unknown) =>
    fetch(`${s.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const pipelinesIdentify = (s: ServerProcess, writeKey: string, userId: string) =>
    fetch(`${s.url}/v1/identify`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId, traits: {} }),
    });
  const emailOf = async (s: ServerProcess, id: string) => {
    const res = await app(s, s.credentials.appApiKey, 'GET', `/customers/${id}/attributes`);
    return ((await res.json()) as { customer: { attributes: { email?: string } } }).customer.attributes.email;
  };

  it('a setting changed through one server applies to the other', async () => {
    const key = a.credentials.apiKey;
    // B has the workspace in memory (setting off): changing an email through the id is refused.
    expect((await identify(b, key, 'pat', { email: 'pat@one.example' })).status).toBe(200);
    expect((await identify(b, key, 'pat', { email: 'pat@two.example' })).status).toBe(200);
    expect(await emailOf(b, 'pat')).toBe('pat@one.example');

    const put = await app(a, a.credentials.appApiKey, 'PUT', '/workspace', {
      settings: { allowEmailUpdateViaId: true },
    });
    expect(put.status).toBe(200);
    await waitFor(
      'server B to apply the setting changed through server A',
      async () =>
        (await identify(b, key, 'pat', { email: 'pat@two.example' })).status === 200 &&
        (await emailOf(b, 'pat')) === 'pat@two.example',
      PROPAGATION_BOUND_MS,
      20,
    );
  });

  it('a Pipelines write key rotated elsewhere stops opening a server that held it', async () => {
    // The write key lookup is kept in memory like the Track key; a rotation (here by the CLI, a
    // third process) reaches both servers by migration 092's NOTIFY.
    const created = await run(process.execPath, [
      CLI,
      'workspace',
      'create',
      '--name',
      'Web',
      '--json',
      '--database-url',
      db.url,
    ]);
    const ws = JSON.parse(created.stdout) as { siteId: string; writeKey: string };
    for (const s of [a, b]) expect((await pipelinesIdentify(s, ws.writeKey, 'wk-1')).status).toBe(200);
    const rotated = await run(process.execPath, [
      CLI,
      'workspace',
      'rotate-keys',
      ws.siteId,
      '--write',
      '--json',
      '--database-url',
      db.url,
    ]);
    const { writeKey: fresh } = JSON.parse(rotated.stdout) as { writeKey: string };
    for (const s of [a, b]) {
      await waitFor(
        'the old write key to be refused',
        async () => (await pipelinesIdentify(s, ws.writeKey, 'wk-2')).status === 401,
        PROPAGATION_BOUND_MS,
        20,
      );
      expect((await pipelinesIdentify(s, fresh, 'wk-3')).status).toBe(200);
    }
  });

  it('a segment defined or edited through one server applies to the next write through the other', async () => {
    // No notification needed: every write reads its workspace's segment catalog version under a
    // lock that editing takes (docs/scaling.md "What servers keep in memory"), so no waiting.
    const key = a.credentials.apiKey;
    const members = async (s: ServerProcess, id: number) =>
      (
        (await (await app(s, s.credentials.appApiKey, 'GET', `/segments/${id}/membership`)).json()) as {
          ids: string[];
        }
      ).ids.sort();
    // B has evaluated writes (and so holds this workspace's definitions) before the segment exists.
    expect((await identify(b, key, 'seg-a', { tier: 'gold' })).status).toBe(200);
    const created = await app(a, a.credentials.appApiKey, 'POST', '/segments', {
      segment: { name: 'Gold', conditions: { attribute: { field: 'tier', operator: 'eq', value: 'gold' } } },
    });
    expect(created.status).toBe(200);
    const { id } = ((await created.json()) as { segment: { id: number } }).segment;
    expect((await identify(b, key, 'seg-b', { tier: 'gold' })).status).toBe(200);
    expect(await members(a, id)).toEqual(['seg-a', 'seg-b']);
    // Edited through A; B's next write evaluates the new definition.
    const edited = await app(a, a.credentials.appApiKey, 'PUT', `/segments/${id}`, {
      segment: {
        name: 'Silver',
        conditions: { attribute: { field: 'tier', operator: 'eq', value: 'silver' } },
      },
    });
    expect(edited.status).toBe(200);
    expect((await identify(b, key, 'seg-c', { tier: 'silver' })).status).toBe(200);
    expect((await identify(b, key, 'seg-d', { tier: 'gold' })).status).toBe(200);
    expect(await members(b, id)).toEqual(['seg-c']);
  });

  it('a tracking key rotated through one server opens the other at once', async () => {
    expect((await identify(b, a.credentials.apiKey, 'rene', { n: 1 })).status).toBe(200);
    const rotated = await app(a, a.credentials.appApiKey, 'POST', '/workspace/rotate-keys', { track: true });
    expect(rotated.status).toBe(200);
    const { api_key: fresh } = (await rotated.json()) as { api_key: string };
    // Server A changed it: it knows at once.
    expect((await identify(a, fresh, 'rene', { n: 2 })).status).toBe(200);
    // Server B held the old key's hash in memory: the notification drops it.
    await waitFor(
      'server B to accept the key rotated through server A',
      async () => (await identify(b, fresh, 'rene', { n: 3 })).status === 200,
      PROPAGATION_BOUND_MS,
      20,
    );
  });
});
