// Store: person upserts per second through Roster's write path (the Track services, in-process,
// no HTTP) against a raw prepared-statement upsert of the same rows — better-sqlite3 for SQLite,
// pg for PostgreSQL — measured in the same run. Both one upsert per transaction and batches of 100.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPgDatabase, ratio, table } from './lib.mjs';

const dist = new URL('../packages/server/dist/', import.meta.url);
const { openStore } = await import(new URL('store/open-store.js', dist).href);
const { createServices } = await import(new URL('services/services.js', dist).href);
const { parseV2 } = await import(new URL('services/track/v2.js', dist).href);
const { systemClock } = await import(new URL('lib/clock.js', dist).href);
const Database = createRequire(new URL('../packages/server/package.json', import.meta.url))('better-sqlite3');

const ROWS = Number(process.env.BENCH_STORE_ROWS ?? 10_000);
const BATCH = 100;
const attrs = (i) => ({ first_name: `Person ${i}`, plan: i % 3 ? 'free' : 'pro', visits: i });

async function rosterRate(store, batched) {
  const services = createServices(store, systemClock);
  const { workspace } = await services.workspaces.ensureDefault({
    siteId: 'benchstore',
    apiKey: 'benchstorekey01',
    appApiKey: 'app_benchstoreappkey0001',
  });
  const op = (i) => ({
    type: 'person',
    identifiers: { id: `p${i}` },
    action: 'identify',
    attributes: attrs(i),
  });
  const t0 = performance.now();
  if (batched) {
    for (let i = 0; i < ROWS; i += BATCH) {
      const items = [];
      for (let j = i; j < Math.min(ROWS, i + BATCH); j++) items.push(parseV2(op(j), workspace));
      await services.track.executeBatch(workspace, 'bench', items);
    }
  } else {
    for (let i = 0; i < ROWS; i++)
      await services.track.execute(workspace, 'bench', parseV2(op(i), workspace));
  }
  return ROWS / ((performance.now() - t0) / 1000);
}

function rawSqliteRate(dir, batched) {
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table people (id text primary key, attributes text not null, updated_at integer not null)');
  const upsert = db.prepare(
    'insert into people (id, attributes, updated_at) values (?, ?, ?) on conflict(id) do update set attributes = excluded.attributes, updated_at = excluded.updated_at',
  );
  const many = db.transaction((from, to) => {
    for (let j = from; j < to; j++) upsert.run(`p${j}`, JSON.stringify(attrs(j)), j);
  });
  const t0 = performance.now();
  if (batched) for (let i = 0; i < ROWS; i += BATCH) many(i, Math.min(ROWS, i + BATCH));
  else for (let i = 0; i < ROWS; i++) upsert.run(`p${i}`, JSON.stringify(attrs(i)), i);
  const rate = ROWS / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

async function rawPgRate(url, batched) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(
    'create table raw_people (id text primary key, attributes jsonb not null, updated_at bigint not null)',
  );
  const q = {
    name: 'upsert',
    text: 'insert into raw_people (id, attributes, updated_at) values ($1, $2, $3) on conflict (id) do update set attributes = excluded.attributes, updated_at = excluded.updated_at',
  };
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += batched ? BATCH : 1) {
    const to = batched ? Math.min(ROWS, i + BATCH) : i + 1;
    if (batched) await c.query('begin');
    for (let j = i; j < to; j++) await c.query({ ...q, values: [`p${j}`, JSON.stringify(attrs(j)), j] });
    if (batched) await c.query('commit');
  }
  const rate = ROWS / ((performance.now() - t0) / 1000);
  await c.end();
  return rate;
}

export async function run() {
  const rows = [];
  for (const batched of [false, true]) {
    const mode = batched ? `batches of ${BATCH}` : 'one per transaction';
    const dir = mkdtempSync(path.join(tmpdir(), 'roster-bench-store-'));
    try {
      const store = await openStore({ dataDir: dir });
      const roster = await rosterRate(store, batched);
      await store.close();
      const raw = rawSqliteRate(dir, batched);
      rows.push({
        name: `SQLite person upserts, ${mode}`,
        value: roster,
        unit: 'upserts/s',
        ceiling: raw,
        ratio: ratio(roster, raw),
        notes: 'ceiling: raw better-sqlite3 prepared upsert',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const db = await createPgDatabase();
    if (!db) continue;
    try {
      const store = await openStore({ dataDir: tmpdir(), databaseUrl: db.url });
      const roster = await rosterRate(store, batched);
      await store.close();
      const raw = await rawPgRate(db.url, batched);
      rows.push({
        name: `PostgreSQL person upserts, ${mode}`,
        value: roster,
        unit: 'upserts/s',
        ceiling: raw,
        ratio: ratio(roster, raw),
        notes: 'ceiling: raw pg prepared upsert',
      });
    } finally {
      await db.drop();
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(table(await run()));
