// `roster import` of people from CSV into SQLite (docs/import-export.md). Target: 1,000,000 rows in
// under a minute on 2 cores. The figure is the wall time of the real CLI (`roster import FILE`, a
// child process: parsing, typing, the Track API's validation and writes, activities, segment
// listeners, one transaction per 1,000 rows); the ceiling is a raw insert of the same rows into the
// same `people` table (same CSV parser, one prepared INSERT, 10,000 rows per transaction), in this
// run. ROSTER_BENCH_IMPORT_ROWS=200000 npm run bench import — fewer rows for a quicker look.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { historyWriter } from './floor-history.mjs';
import { CLI, ratio } from './lib.mjs';

const ROWS = Number(process.env.ROSTER_BENCH_IMPORT_ROWS || 1_000_000);

function writeCsv(file, n) {
  const plans = ['free', 'pro', 'team'];
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'email,first_name,last_name,plan,age,vip,signup_at\n');
  let s = '';
  for (let i = 0; i < n; i++) {
    s += `user${i}@example.com,First${i},"Last, ${i}",${plans[i % 3]},${18 + (i % 60)},${i % 7 === 0},${1_600_000_000 + i}\n`;
    if (s.length > 1 << 20) {
      fs.writeSync(fd, s);
      s = '';
    }
  }
  fs.writeSync(fd, s);
  fs.closeSync(fd);
}

function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`roster ${args[0]} exited ${code}: ${out.slice(-500)}`)),
    );
  });
}

/** The ceiling: the same rows parsed by the same CSV reader and inserted with one prepared statement. */
async function rawInsert(dataDir, file, { history = false } = {}) {
  const { default: Database } = await import('better-sqlite3');
  const { CsvParser } = await import('../packages/server/dist/ops/bulk/csv.js');
  const { newCioId } = await import('../packages/server/dist/lib/cio-id.js');
  const db = new Database(path.join(dataDir, 'roster.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const ws = db.prepare('select id from workspaces order by id limit 1').get().id;
  const insert = db.prepare(
    `insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
     values (?, ?, null, ?, ?, ?, ?, 0, ?, ?)`,
  );
  // With `history`, the floor: also the history row Roster records for a new person (one
  // create_change, standing for its profile_create and attribute_change), as bench/floor-server.mjs does.
  const historyRows = historyWriter(db);
  const now = Math.floor(Date.now() / 1000);
  const parser = new CsvParser();
  let header;
  let pending = [];
  const flush = db.transaction((rows) => {
    for (const f of rows) {
      const attrs = {
        first_name: f[1],
        last_name: f[2],
        plan: f[3],
        age: Number(f[4]),
        vip: f[5] === 'true',
        signup_at: Number(f[6]),
      };
      const ts = {};
      for (const k of Object.keys(attrs)) ts[k] = now;
      const cio = newCioId(now); // Roster's ids: they decide how many index pages a commit writes
      const { lastInsertRowid: pid } = insert.run(
        ws,
        cio,
        f[0],
        f[0].toLowerCase(),
        JSON.stringify(attrs),
        JSON.stringify(ts),
        now,
        now,
      );
      if (history) historyRows.created(ws, pid, { id: null, email: f[0], cio_id: cio }, attrs, now);
    }
  });
  const t = process.hrtime.bigint();
  const take = (records) => {
    for (const r of records) {
      if (!header) {
        header = r.fields;
        continue;
      }
      pending.push(r.fields);
      if (pending.length >= 10_000) {
        flush(pending);
        pending = [];
      }
    }
  };
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) take(parser.push(chunk));
  take(parser.end());
  flush(pending);
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  const count = db.prepare('select count(*) as n from people').get().n;
  db.close();
  return { secs, count };
}

export async function run() {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'roster-bench-import-'));
  try {
    const file = path.join(dir, 'people.csv');
    writeCsv(file, ROWS);
    const rawDir = path.join(dir, 'raw');
    const fullDir = path.join(dir, 'full');
    await cli(['workspace', 'create', '--data', rawDir]);
    await cli(['workspace', 'create', '--data', fullDir]);
    const floorDir = path.join(dir, 'floor');
    await cli(['workspace', 'create', '--data', floorDir]);

    const raw = await rawInsert(rawDir, file);
    const floor = await rawInsert(floorDir, file, { history: true });
    const t = process.hrtime.bigint();
    const out = await cli(['import', file, '--data', fullDir, '--json', '--progress-interval', '600000']);
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    const result = JSON.parse(
      out
        .trim()
        .split('\n')
        .find((l) => l.startsWith('{')),
    );
    const mb = Math.round(fs.statSync(file).size / 2 ** 20);
    return [
      {
        name: `roster import: ${ROWS.toLocaleString('en-US')} people from CSV (${mb} MB) into SQLite`,
        value: Math.round(secs * 10) / 10,
        unit: 's',
        ceiling: Math.round(raw.secs * 10) / 10,
        ratio: ratio(secs, raw.secs),
        target: ROWS === 1_000_000 ? '< 60 s' : `< ${Math.round((60 * ROWS) / 1e6)} s (pro rata)`,
        notes: `${result.rowsOk} imported, ${result.rowsFailed} failed; ceiling = raw prepared INSERT of the same rows (${raw.count} rows)`,
      },
      {
        name: 'roster import: rows per second',
        value: Math.round(ROWS / secs),
        unit: 'rows/s',
        ceiling: Math.round(ROWS / raw.secs),
        ratio: ratio(ROWS / secs, ROWS / raw.secs),
        target: '≥ 16,667 rows/s',
        notes: 'full Track API services per row: validation, identify, activity, segment listener',
      },
      {
        name: "floor: raw INSERT of the same people with their two history rows (Roster's schema)",
        value: Math.round(ROWS / floor.secs),
        unit: 'rows/s',
        ceiling: Math.round(ROWS / raw.secs),
        ratio: ratio(ROWS / floor.secs, ROWS / raw.secs),
        target: '',
        notes: `roster import = ${ratio(floor.secs, secs)} of this floor; 1,000,000 rows at this rate ≈ ${Math.round(1e6 / (ROWS / floor.secs))} s`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
