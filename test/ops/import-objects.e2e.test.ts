import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appGet, jsonLines, roster, storeArgs, type Loose } from './helpers.js';

const COMPANIES = [
  'object_id,name,plan,seats',
  'acme,Acme,enterprise,50',
  'globex,"Globex, Inc",pro,12',
  ',Nameless,free,1',
  `${'x'.repeat(151)},Too long,free,1`,
].join('\n');

const MEMBERS = [
  'object_id,id,email,role',
  'acme,dana,,admin',
  'acme,,eve@example.com,member',
  'globex,dana,,member',
  'acme,,,admin',
].join('\n');

const JSONL = [
  JSON.stringify({
    type: 'object',
    action: 'identify',
    identifiers: { object_type_id: '2', object_id: 'calculus' },
    attributes: { name: 'Calculus 1A' },
    cio_relationships: [{ identifiers: { id: 'finn' }, relationship_attributes: { grade: 'A' } }],
  }),
  JSON.stringify({
    type: 'object',
    action: 'identify',
    identifiers: { object_type_id: 'x', object_id: 'bad' },
  }),
  JSON.stringify({
    type: 'person',
    action: 'add_relationships',
    identifiers: { id: 'dana' },
    cio_relationships: [{ identifiers: { object_type_id: '2', object_id: 'calculus' } }],
  }),
].join('\n');

/**
 * `roster import` of objects and relationships (CSV and JSON Lines) and `roster export` of them,
 * against a running server's store on each engine (docs/import-export.md "Objects and
 * relationships").
 */
describe.each(engines())('roster import and export of objects (%s)', (engine) => {
  let srv: ServerProcess;
  let dir: string;
  const run = (args: string[]) => roster([...args, ...storeArgs(srv), '--site-id', srv.credentials.siteId]);

  beforeAll(async () => {
    srv = await startServer({ engine });
    dir = mkdtempSync(path.join(tmpdir(), 'roster-objimport-'));
    writeFileSync(path.join(dir, 'companies.csv'), COMPANIES);
    writeFileSync(path.join(dir, 'members.csv'), MEMBERS);
    writeFileSync(path.join(dir, 'classes.jsonl'), JSONL);
  });
  afterAll(async () => {
    await srv?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports objects from CSV, reporting bad rows by line', async () => {
    const r = await run(['import', path.join(dir, 'companies.csv'), '--objects', '--object-type', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/imported 2 rows into .*, 2 failed/);
    const errors = jsonLines(readFileSync(path.join(dir, 'companies.csv.errors.jsonl'), 'utf8')) as Loose[];
    expect(errors.map((e) => e.line)).toEqual([4, 5]);
    expect(errors[0].reason).toContain('object_id is empty');
    expect(errors[1].reason).toMatch(/object_id.*150 bytes/);
    const acme = await appGet(srv, '/v1/objects/1/acme/attributes');
    expect(acme.status).toBe(200);
    expect(acme.body.object.attributes).toMatchObject({ name: 'Acme', plan: 'enterprise', seats: '50' });
    const globex = await appGet(srv, '/v1/objects/1/globex/attributes');
    expect(globex.body.object.attributes.name).toBe('Globex, Inc');
  });

  it('imports relationships from CSV (person by id, else email), with relationship attributes', async () => {
    const r = await run(['import', path.join(dir, 'members.csv'), '--relationships', '--object-type', '1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/imported 3 rows into .*, 1 failed/);
    const errors = jsonLines(readFileSync(path.join(dir, 'members.csv.errors.jsonl'), 'utf8')) as Loose[];
    expect(errors).toMatchObject([{ line: 5, reason: 'id is empty (and so is email)' }]);
    const rels = await appGet(srv, '/v1/objects/1/acme/relationships');
    expect(
      (rels.body.cio_relationships as Loose[])
        .map((x) => `${x.identifiers.id ?? x.identifiers.email}:${x.relationship_attributes.role}`)
        .sort(),
    ).toEqual(['dana:admin', 'eve@example.com:member']);
  });

  it('imports Track v2 object operations from JSON Lines, with errors by line', async () => {
    const r = await run(['import', path.join(dir, 'classes.jsonl')]);
    expect(r.code, r.stderr).toBe(1);
    const errors = jsonLines(readFileSync(path.join(dir, 'classes.jsonl.errors.jsonl'), 'utf8')) as Loose[];
    expect(errors.map((e) => e.line)).toEqual([2]);
    expect(errors[0].reason).toContain('object_type_id');
    const rels = await appGet(srv, '/v1/customers/dana/relationships');
    expect((rels.body.cio_relationships as Loose[]).map((x) => x.identifiers.object_id).sort()).toEqual([
      'acme',
      'calculus',
      'globex',
    ]);
  });

  it('exports objects and relationships as JSON Lines that import back unchanged, and as CSV', async () => {
    const out = path.join(dir, 'objects.jsonl');
    const e = await run(['export', 'objects', '--output', out]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toContain('exported 3 objects');
    const lines = jsonLines(readFileSync(out, 'utf8')) as Loose[];
    expect(lines.filter((l) => l.action === 'identify').map((l) => l.identifiers.object_id)).toEqual([
      'acme',
      'globex',
      'calculus',
    ]);
    const acme = lines.find((l) => l.action === 'add_relationships' && l.identifiers.object_id === 'acme');
    expect(acme.cio_relationships).toEqual([
      { identifiers: { id: 'dana' }, relationship_attributes: { role: 'admin' } },
      { identifiers: { email: 'eve@example.com' }, relationship_attributes: { role: 'member' } },
    ]);
    const back = await run(['import', out]);
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(back.stdout).toMatch(/imported 6 rows .*, 0 failed/);

    const csv = path.join(dir, 'companies-out.csv');
    expect((await run(['export', 'objects', '--object-type', '1', '--output', csv])).code).toBe(0);
    const text = readFileSync(csv, 'utf8').split(/\r?\n/);
    expect(text[0]).toBe('object_type_id,object_id,_cio_object_id,_created_at,_updated_at,name,plan,seats');
    expect(text[1]).toMatch(/^1,acme,ob[0-9a-f]{16},\d+,\d+,Acme,enterprise,50$/);
    const rcsv = path.join(dir, 'members-out.csv');
    expect((await run(['export', 'relationships', '--output', rcsv])).code).toBe(0);
    expect(readFileSync(rcsv, 'utf8').split(/\r?\n/).slice(0, 2)).toEqual([
      'object_type_id,object_id,id,email,grade,role',
      '1,acme,dana,,,admin',
    ]);
    // The CSV exports import back: objects, then relationships.
    expect((await run(['import', csv, '--objects'])).code).toBe(0);
    expect((await run(['import', rcsv, '--relationships'])).code).toBe(0);
  });
});
