import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

function basic(siteId: string, key: string): string {
  return `Basic ${Buffer.from(`${siteId}:${key}`).toString('base64')}`;
}

describe('roster serve (SQLite)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite' });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('answers /healthz with JSON once it accepts traffic', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('answers unknown routes and wrong methods with JSON, never HTML or text', async () => {
    const missing = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('meta.error');
    const app = await fetch(`${server.url}/v1/nothing-here`);
    expect(app.status).toBe(404);
    expect((await app.json()).errors[0].status).toBe('404');
    const wrong = await fetch(`${server.url}/healthz`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(wrong.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('operators manage workspaces from the CLI while the server runs', async () => {
    const created = await run(process.execPath, [
      CLI,
      'workspace',
      'create',
      '--name',
      'Staging',
      '--json',
      '--data',
      server.dataDir,
    ]);
    const ws = JSON.parse(created.stdout) as { siteId: string; apiKey: string; appApiKey: string };
    expect(ws.siteId).toMatch(/^[0-9a-f]{20}$/);
    const listed = await run(process.execPath, [CLI, 'workspace', 'list', '--data', server.dataDir]);
    expect(listed.stdout).toContain(ws.siteId);
    expect(listed.stdout).toContain(server.credentials.siteId);
    // The new workspace's key works on the running server at once, and stops at once when rotated.
    const region = () =>
      fetch(`${server.trackUrl}/accounts/region`, {
        headers: { authorization: basic(ws.siteId, ws.apiKey) },
      });
    expect((await region()).status).toBe(200);
    const rotated = await run(process.execPath, [
      CLI,
      'workspace',
      'rotate-keys',
      ws.siteId,
      '--json',
      '--data',
      server.dataDir,
    ]);
    const keys = JSON.parse(rotated.stdout) as { apiKey: string; appApiKey: string };
    expect(keys.apiKey).not.toBe(ws.apiKey);
    // The CLI is another process: the server sees its commit within 5 ms (docs/security.md "Track
    // fast lane"), which a request sent as the CLI exits can beat. Wait for the refusal.
    await waitFor('the rotated key to be refused', async () => (await region()).status === 401, 10_000, 5);
  });

  it('rejects a missing or wrong key with JSON 401', async () => {
    const res = await fetch(`${server.trackUrl}/accounts/region`, {
      headers: { authorization: basic(server.credentials.siteId, 'wrong') },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ meta: { error: 'Unauthorized request' } });
  });

  it('stops on SIGTERM, exiting 0', async () => {
    const own = await startServer({ engine: 'sqlite' });
    try {
      expect(await own.kill('SIGTERM')).toBe(0);
    } finally {
      await own.cleanup();
    }
  });
});
