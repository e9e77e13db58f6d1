import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStorage, createRoster } from '../src/node/index.js';
import { FakeClock, FakeTransport } from '../src/testing/index.js';

const run = promisify(execFile);
let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'roster-sdk-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('node file storage', () => {
  it('survives a new process: a child writes, a new instance here reads', async () => {
    const script = `
      import { createFileStorage } from ${JSON.stringify(new URL('../src/node/file-storage.ts', import.meta.url).pathname)};
      await createFileStorage(process.argv[1]).setItem('roster:site', JSON.stringify({ hello: 'world' }));
    `;
    await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], {
      cwd: process.cwd(),
    });
    expect(await createFileStorage(dir).getItem('roster:site')).toBe('{"hello":"world"}');
    expect(await readdir(dir)).toEqual(['roster%3Asite.json']); // no temp files left behind
  });

  it('returns null for a missing key and removes keys', async () => {
    const storage = createFileStorage(join(dir, 'nested'));
    expect(await storage.getItem('nope')).toBeNull();
    await storage.setItem('k', 'v');
    await storage.removeItem('k');
    await storage.removeItem('k');
    expect(await storage.getItem('k')).toBeNull();
  });

  it('a node client queues to disk and a second client over the same storageDir delivers it once', async () => {
    const clock = new FakeClock();
    const offline = new FakeTransport();
    offline.fallback = { error: new Error('ECONNREFUSED') };
    const config = {
      siteId: 'site',
      apiKey: 'key',
      trackingApiUrl: 'http://127.0.0.1:1',
      storageDir: dir,
      logLevel: 'none' as const,
      flushOnExit: false,
      clock,
      timers: clock,
    };
    const first = createRoster({ ...config, transport: offline.fetch });
    await first.identify('u1', { first_name: 'Ada' });
    await first.track('signed_up');
    expect(await first.shutdown({ timeoutMs: 50 })).toMatchObject({ left: 2 });

    const online = new FakeTransport();
    const second = createRoster({ ...config, transport: online.fetch });
    expect(await second.flush()).toMatchObject({ sent: 2, left: 0 });
    expect(online.delivered.map((o) => o.action)).toEqual(['identify', 'event']);
    expect(online.requests[0]!.headers['User-Agent']).toBe('Roster SDK/0.1.0 (node)');
    expect(online.requests[0]!.url).toBe('http://127.0.0.1:1/api/v2/batch');
    await second.shutdown();
  });
});
