import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appGet, appPost, jsonLines, roster, storeArgs } from './helpers.js';

// Good and bad rows in one RFC 4180 file: quoted commas, escaped quotes, a CRLF inside quotes.
const CSV = [
  'email,first_name,plan,age,vip,zip,tags',
  'ann@example.com,Ann,pro,31,true,02134,"[""a"",""b""]"',
  'not-an-email,Bob,free,2,false,1,',
  'cee@example.com,"Cee, ""the"" third",pro,,,,',
  ',Nobody,free,,,,',
  'dee@example.com,"two\r\nlines",free,1.5,false,9,',
  'eve@example.com,Eve',
  'fay@example.com,Fay,pro,40,false,,"{""k"":1}"',
].join('\r\n');

describe.each(engines())('roster import of a CSV with good and bad rows (%s)', (engine) => {
  let srv: ServerProcess;
  let dir: string;
  let segmentId: number;
  let imported: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    srv = await startServer({ engine });
    dir = mkdtempSync(path.join(tmpdir(), 'roster-import-'));
    // A dynamic segment exists before the import: imported people must enter it.
    const created = await appPost(srv, '/v1/segments', {
      segment: { name: 'Pro', conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } },
    });
    expect(created.status).toBe(200);
    segmentId = created.body.segment.id;
    writeFileSync(path.join(dir, 'people.csv'), CSV);
    // Against the store of the running server, as an operator would.
    imported = await roster([
      'import',
      path.join(dir, 'people.csv'),
      ...storeArgs(srv),
      '--site-id',
      srv.credentials.siteId,
    ]);
  });

  afterAll(async () => {
    await srv?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the good rows, counts the bad ones, and exits 1 because rows failed', () => {
    expect(imported.code, imported.stderr).toBe(1);
    expect(imported.stdout).toMatch(/imported 4 rows into .*, 3 failed/);
    expect(imported.stdout).toMatch(/3 rows failed: exit code 1/);
  });

  it('reports each bad row with its line number and reason', () => {
    const errors = jsonLines(readFileSync(path.join(dir, 'people.csv.errors.jsonl'), 'utf8'));
    expect(errors.map((e) => e.line)).toEqual([3, 5, 8]);
    expect(errors[0]!.reason).toBe('identifiers.email is not a valid email address');
    expect(errors[0]!.row).toBe('not-an-email,Bob,free,2,false,1,');
    expect(errors[1]!.reason).toMatch(/email is empty/);
    expect(errors[2]!.reason).toMatch(/expected 7 fields, found 2/);
  });

  it('types the columns sensibly', async () => {
    const out = await roster(['export', ...storeArgs(srv), '--site-id', srv.credentials.siteId]);
    const people = new Map(
      jsonLines(out.stdout).map((p) => [
        (p.identifiers as { email: string }).email,
        p.attributes as Record<string, unknown>,
      ]),
    );
    expect([...people.keys()].sort()).toEqual([
      'ann@example.com',
      'cee@example.com',
      'dee@example.com',
      'fay@example.com',
    ]);
    expect(people.get('ann@example.com')).toEqual({
      first_name: 'Ann',
      plan: 'pro',
      age: 31,
      vip: true,
      zip: '02134',
      tags: ['a', 'b'],
    });
    expect(people.get('cee@example.com')).toEqual({ first_name: 'Cee, "the" third', plan: 'pro' });
    expect(people.get('dee@example.com')).toMatchObject({
      first_name: 'two\r\nlines',
      age: 1.5,
      vip: false,
      zip: 9,
    });
    expect(people.get('fay@example.com')).toMatchObject({ tags: { k: 1 } });
  });

  it('records activities as the Track API does', async () => {
    const res = await appGet(srv, '/v1/customers/ann%40example.com/activities?id_type=email');
    expect(res.status).toBe(200);
    const types = (res.body.activities as Array<{ type: string }>).map((a) => a.type);
    expect(types).toContain('attribute_change');
    expect(types).toContain('entered_segment');
  });

  it('updates segment membership', async () => {
    const res = await appGet(srv, `/v1/segments/${segmentId}/membership`);
    expect(res.status).toBe(200);
    const emails = (res.body.identifiers as Array<{ email: string }>).map((i) => i.email).sort();
    expect(emails).toEqual(['ann@example.com', 'cee@example.com', 'fay@example.com']);
  });

  it('does not import the same file twice unless asked to', async () => {
    const again = await roster(['import', path.join(dir, 'people.csv'), ...storeArgs(srv)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already imported/);
  });
});
