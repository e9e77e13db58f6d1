import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { CLI, jsonLines, roster, trackPut } from './helpers.js';

const PEOPLE = 600;
/** Each test runs the CLI several times; a machine shared with other suites is slow to start processes. */
const SLOW = 120_000;

/** People (with devices), then one event each — events without ids, so a replayed batch would duplicate them. */
function writeJsonl(file: string): void {
  const lines: string[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const person: Record<string, unknown> = {
      id: `u${i}`,
      email: `u${i}@example.com`,
      n: i,
      plan: i % 2 ? 'pro' : 'free',
    };
    if (i % 10 === 0)
      person.devices = [{ token: `tok-${i}`, platform: 'ios', attributes: { app_version: '1.2' } }];
    lines.push(JSON.stringify(person));
  }
  for (let i = 0; i < PEOPLE; i++)
    lines.push(
      JSON.stringify({
        type: 'person',
        action: 'event',
        identifiers: { id: `u${i}` },
        name: 'signed_up',
        attributes: { i },
      }),
    );
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function counts(dataDir: string): {
  people: number;
  events: number;
  distinctEvents: number;
  devices: number;
} {
  const db = new Database(path.join(dataDir, 'roster.db'), { readonly: true });
  try {
    const one = (q: string) => (db.prepare(q).get() as { n: number }).n;
    return {
      people: one('select count(*) as n from people'),
      events: one('select count(*) as n from events'),
      distinctEvents: one("select count(distinct json_extract(data, '$.i')) as n from events"),
      devices: one('select count(*) as n from devices'),
    };
  } finally {
    db.close();
  }
}

describe('roster import: interrupted and resumed, export round trip, backup (sqlite)', () => {
  let dir: string;
  let data: string;
  let file: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-resume-'));
    data = path.join(dir, 'data');
    file = path.join(dir, 'bulk.jsonl');
    writeJsonl(file);
    expect((await roster(['workspace', 'create', '--data', data])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'resumes after kill -9 without applying any row twice',
    async () => {
      // Small batches and a progress line per batch, so the process can be killed mid-way.
      const child = spawn(
        process.execPath,
        [CLI, 'import', file, '--data', data, '--batch-size', '25', '--progress-interval', '0'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let err = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (c: Buffer) => {
          err += c.toString();
          // Killed in this handler, not after an await: the import keeps going until then.
          if ((err.match(/^import: /gm) ?? []).length >= 20 && child.kill('SIGKILL')) resolve();
        });
        child.on('exit', () => reject(new Error(`import ended before it could be interrupted:\n${err}`)));
      });
      await new Promise((r) => child.once('exit', r));
      const partial = counts(data);
      expect(partial.people).toBeGreaterThan(0);
      expect(partial.people + partial.events).toBeLessThan(2 * PEOPLE);

      const resumed = await roster(['import', file, '--data', data, '--batch-size', '25']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/imported 1200 rows .*\(resumed at line \d+\), 0 failed/);
      const line = Number(/resumed at line (\d+)/.exec(resumed.stdout)![1]);
      expect(line).toBeGreaterThan(1);
      expect(counts(data)).toEqual({
        people: PEOPLE,
        events: PEOPLE,
        distinctEvents: PEOPLE,
        devices: PEOPLE / 10,
      });
      expect(readFileSync(`${file}.errors.jsonl`, 'utf8')).toBe('');
    },
    SLOW,
  );

  it(
    'exports people and events that import back to the same state (JSONL and CSV)',
    async () => {
      const exportOf = async (dataDir: string, what: string, format: string) => {
        const out = path.join(dir, `${path.basename(dataDir)}-${what}.${format}`);
        const r = await roster(['export', what, '--data', dataDir, '--format', format, '--output', out]);
        expect(r.code, r.stderr).toBe(0);
        return out;
      };
      const normalize = (text: string) =>
        jsonLines(text)
          .map(({ _cio_id, _created_at, _updated_at, ...rest }) => JSON.stringify(rest))
          .sort();

      const peopleFile = await exportOf(data, 'people', 'jsonl');
      const eventsFile = await exportOf(data, 'events', 'jsonl');
      expect(jsonLines(readFileSync(peopleFile, 'utf8'))).toHaveLength(PEOPLE);

      const copy = path.join(dir, 'copy');
      await roster(['workspace', 'create', '--data', copy]);
      for (const f of [peopleFile, eventsFile]) {
        const r = await roster(['import', f, '--data', copy]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/, 0 failed/);
      }
      expect(normalize(readFileSync(await exportOf(copy, 'people', 'jsonl'), 'utf8'))).toEqual(
        normalize(readFileSync(peopleFile, 'utf8')),
      );
      expect(normalize(readFileSync(await exportOf(copy, 'events', 'jsonl'), 'utf8'))).toEqual(
        normalize(readFileSync(eventsFile, 'utf8')),
      );

      // CSV: people with attribute columns and devices as JSON.
      const csvFile = await exportOf(data, 'people', 'csv');
      const viaCsv = path.join(dir, 'viacsv');
      await roster(['workspace', 'create', '--data', viaCsv]);
      const r = await roster(['import', csvFile, '--data', viaCsv]);
      expect(r.stdout).toMatch(new RegExp(`imported ${PEOPLE} rows .*, 0 failed`));
      expect(normalize(readFileSync(await exportOf(viaCsv, 'people', 'jsonl'), 'utf8'))).toEqual(
        normalize(readFileSync(peopleFile, 'utf8')),
      );
    },
    SLOW,
  );

  it(
    'filters exports with the segments condition language',
    async () => {
      const filter = JSON.stringify({
        and: [
          { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
          { attribute: { field: 'n', operator: 'lt', value: 100 } },
        ],
      });
      const people = await roster(['export', '--data', data, '--filter', filter]);
      expect(jsonLines(people.stdout)).toHaveLength(50);
      const events = await roster([
        'export',
        'events',
        '--data',
        data,
        '--filter',
        filter,
        '--format',
        'csv',
      ]);
      expect(events.stdout.trim().split('\r\n')).toHaveLength(51);
      const bad = await roster(['export', '--data', data, '--filter', '{"attribute":{}}']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/--filter/);
    },
    SLOW,
  );

  it(
    'backs up the SQLite store while a server is writing to it',
    async () => {
      let srv: ServerProcess | undefined;
      try {
        srv = await startServer({ dataDir: data });
        let writing = true;
        let written = 0;
        const writer = (async () => {
          while (writing)
            if ((await trackPut(srv!, `/api/v1/customers/live${written++}`, { plan: 'x' })) !== 200)
              throw new Error('write failed');
        })();
        const dest = path.join(dir, 'backup', 'roster-backup.db');
        const r = await roster(['backup', dest, '--data', data]);
        writing = false;
        await writer;
        expect(r.code, r.stderr).toBe(0);
        expect(existsSync(dest)).toBe(true);
        const db = new Database(dest, { readonly: true });
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const n = (db.prepare('select count(*) as n from people').get() as { n: number }).n;
        db.close();
        expect(n).toBeGreaterThanOrEqual(PEOPLE);
        expect(n).toBeLessThanOrEqual(PEOPLE + written);
        // Refuses PostgreSQL and points at its tools.
        const pg = await roster(['backup', dest, '--database-url', 'postgres://nobody@127.0.0.1:1/x']);
        expect(pg.code).toBe(2);
        expect(pg.stderr).toMatch(/pg_dump/);
      } finally {
        await srv?.cleanup();
      }
    },
    SLOW,
  );
});
