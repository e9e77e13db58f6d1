import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { engines } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

function basic(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}

/** Write keys: printed once by `workspace create` and on a first start, rotatable, put back by ROSTER_WRITE_KEY. */
describe.each(engines())('Pipelines write keys (%s)', (engine) => {
  let server: ServerProcess;
  const store = () =>
    server.databaseUrl ? ['--database-url', server.databaseUrl] : ['--data', server.dataDir];
  const identify = (key: string, userId: string) =>
    fetch(`${server.url}/v1/identify`, {
      method: 'POST',
      headers: { authorization: basic(key), 'content-type': 'application/json' },
      body: JSON.stringify({ userId, traits: {} }),
    });

  beforeAll(async () => {
    server = await startServer({ engine });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('a first start without ROSTER_WRITE_KEY generates one, prints it once, and keeps it across restarts', async () => {
    // Printed right after the "listening" line the start waits for.
    const key = await waitFor(
      'the printed write key',
      () => /write key\s+(wk_[0-9a-f]{32})/.exec(server.output())?.[1],
    );
    expect((await identify(key, 'first-start')).status).toBe(200);
    server = await server.restart();
    expect(server.output()).not.toMatch(/write key\s+wk_/);
    expect((await identify(key, 'after-restart')).status).toBe(200);
  });

  it('workspace create prints a write key; rotate-keys --write replaces it at once; --server-write adds the secret one', async () => {
    const created = await run(process.execPath, [
      CLI,
      'workspace',
      'create',
      '--name',
      'Mobile',
      '--json',
      ...store(),
    ]);
    const ws = JSON.parse(created.stdout) as { siteId: string; writeKey: string };
    expect(ws.writeKey).toMatch(/^wk_[0-9a-f]{32}$/);
    expect((await identify(ws.writeKey, 'cli-1')).status).toBe(200);

    const rotated = await run(process.execPath, [
      CLI,
      'workspace',
      'rotate-keys',
      ws.siteId,
      '--write',
      '--server-write',
      '--json',
      ...store(),
    ]);
    const keys = JSON.parse(rotated.stdout) as { writeKey: string; serverWriteKey: string; apiKey?: string };
    expect(keys.writeKey).toMatch(/^wk_/);
    expect(keys.serverWriteKey).toMatch(/^swk_[0-9a-f]{40}$/);
    expect(keys.apiKey).toBeUndefined(); // --write rotates only the write keys
    // The CLI is another process: on PostgreSQL the server holds write keys in memory and drops
    // them when the rotation's NOTIFY arrives (migration 092), promptly but not necessarily before
    // this request; bounded well under the cache's 10 s fallback.
    await waitFor(
      'the rotated-out write key to be refused',
      async () => (await identify(ws.writeKey, 'cli-2')).status === 401,
      8_000,
      20,
    );
    expect((await identify(keys.writeKey, 'cli-3')).status).toBe(200);
    expect((await identify(keys.serverWriteKey, 'cli-4')).status).toBe(200);
  });

  it("ROSTER_WRITE_KEY puts the default workspace's key back at every start", async () => {
    const given = 'wk_given_by_the_operator_0001';
    server = await startServer({
      engine,
      dataDir: server.dataDir,
      ...(server.databaseUrl ? { databaseUrl: server.databaseUrl } : {}),
      credentials: server.credentials,
      env: { ROSTER_WRITE_KEY: given },
      ownStore: false,
    }).then(async (next) => {
      await server.kill();
      return next;
    });
    expect((await identify(given, 'given-1')).status).toBe(200);
  });
});
