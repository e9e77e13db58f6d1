import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { roster } from '../ops/helpers.js';

/**
 * What a newcomer meets first: the start-up banner (keys once, the dashboard URL and an identify
 * that works pasted as printed), a quiet log under health probes, and a CLI whose every command
 * answers `--help`, names a wrong option, and refuses to work on a store that is not there.
 */
describe('first start and the CLI', () => {
  let server: ServerProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-first-start-'));
    // No ROSTER_* keys: the server generates a workspace and prints its banner, as on a first `npm start`.
    server = await startServer({
      engine: 'sqlite',
      env: { ROSTER_SITE_ID: '', ROSTER_API_KEY: '', ROSTER_APP_API_KEY: '', ROSTER_LOG_LEVEL: 'info' },
    });
  });

  afterAll(async () => {
    await server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the dashboard URL and an identify that works when pasted as printed', async () => {
    await expect.poll(() => server.output()).toContain('Identify your first person');
    const out = server.output();
    expect(out).toContain(`Dashboard  ${server.url}/`);
    const curl = out.split('\n').find((l) => l.trim().startsWith('curl '));
    expect(curl).toBeDefined();
    execFileSync('sh', ['-c', `${curl!.trim()} --fail --silent --show-error`]);
    const siteId = /site id\s+(\S+)/.exec(out)![1]!;
    const appKey = /App API key\s+(\S+)/.exec(out)![1]!;
    const res = await fetch(`${server.url}/v1/customers/dana/attributes`, {
      headers: { authorization: `Bearer ${appKey}` },
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { customer: { attributes: Record<string, unknown> } }).customer.attributes,
    ).toMatchObject({ first_name: 'Dana' });
    expect(siteId).toMatch(/^[0-9a-f]{20}$/);
  });

  it('logs /healthz probes only at debug, other requests at info', async () => {
    const marker = `/v1/customers/probe-${Date.now()}/attributes`;
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await fetch(`${server.url}${marker}`);
    await expect.poll(() => server.output()).toContain(marker);
    expect(server.output()).not.toContain('"url":"/healthz"');
  });

  it('a later start names the dashboard, the site id and how to get a key back', async () => {
    const again = await startServer({
      engine: 'sqlite',
      dataDir: server.dataDir,
      ownStore: false,
      env: { ROSTER_SITE_ID: '', ROSTER_API_KEY: '', ROSTER_APP_API_KEY: '' },
    });
    try {
      await expect.poll(() => again.output()).toContain('lost a key?');
      expect(again.output()).toContain(`Dashboard  ${again.url}/`);
      expect(again.output()).toMatch(/npx roster workspace rotate-keys [0-9a-f]{20} --app --data /);
      expect(again.output()).not.toContain('shown only this once');
    } finally {
      await again.kill('SIGKILL');
    }
  });

  it('every command answers --help on stdout with exit 0', async () => {
    for (const command of [[], ['serve'], ['workspace'], ['import'], ['export'], ['backup']]) {
      const r = await roster([...command, '--help']);
      expect(r.code, `roster ${command.join(' ')} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/usage:/);
      expect(r.stderr).toBe('');
    }
    const sub = await roster(['workspace', 'list', '-h']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('roster workspace list');
  });

  it('names an unknown option and shows the usage, exit 2', async () => {
    const r = await roster(['export', '--colour', 'red']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("roster export: unknown option '--colour'");
    expect(r.stderr).toContain('usage:');
  });

  it('refuses a data directory without a database instead of creating one', async () => {
    const empty = path.join(dir, 'nothing-here');
    for (const args of [
      ['export', '--data', empty],
      ['workspace', 'list', '--data', empty],
      ['import', path.join(dir, 'people.csv'), '--data', empty],
      ['backup', path.join(dir, 'copy.db'), '--data', empty],
    ]) {
      const r = await roster(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`no database at ${path.join(empty, 'roster.db')}`);
    }
    expect(existsSync(empty)).toBe(false);
  });

  it('lists workspaces under a header', async () => {
    const r = await roster(['workspace', 'list', '--data', server.dataDir]);
    expect(r.code).toBe(0);
    const [header, first] = r.stdout.trim().split('\n');
    expect(header).toBe('site_id\tidentifier_mode\tname');
    expect(first).toMatch(/^[0-9a-f]{20}\temail_or_id\t/);
  });
});
