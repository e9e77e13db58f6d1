import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

/** Without a dashboard build, `/` answers a JSON hint and nothing serves HTML. */
describe('dashboard not built', () => {
  let server: ServerProcess;
  let empty: string;

  beforeAll(async () => {
    empty = mkdtempSync(path.join(tmpdir(), 'roster-no-dashboard-'));
    server = await startServer({
      engine: 'sqlite',
      env: { ROSTER_LOG_LEVEL: 'info', ROSTER_DASHBOARD_DIR: empty },
    });
  });

  afterAll(async () => {
    await server?.cleanup();
    rmSync(empty, { recursive: true, force: true });
  });

  it('answers / with a JSON hint', async () => {
    const res = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { name: string; dashboard: string };
    expect(body.name).toBe('roster');
    expect(body.dashboard).toMatch(/npm run build/);
  });

  it('answers other GETs with the usual JSON 404', async () => {
    const res = await fetch(`${server.url}/people`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});
