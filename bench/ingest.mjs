// Track API ingest: identify (new and existing people), events, and v2 batches of 100, against a
// bare node:http server answering `{}` (the ceiling) with the same client at the same concurrency.
// SQLite always; PostgreSQL when one is reachable. Also p99 at half the maximum rate and the
// server's RSS before and after sustained load.
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  basicAuth,
  createPgDatabase,
  load,
  ratio,
  rssMb,
  startBareServer,
  startFloorServer,
  startPgFloorServer,
  startSqliteFloorServer,
  startRoster,
  BENCH_CREDENTIALS,
  table,
} from './lib.mjs';

const serverRequire = createRequire(new URL('../packages/server/package.json', import.meta.url));
const Database = serverRequire('better-sqlite3');
const pg = serverRequire('pg');

const CONNECTIONS = 20;
const DURATION = Number(process.env.BENCH_DURATION ?? 4);
const headers = { authorization: basicAuth, 'content-type': 'application/json' };
const run = `r${Date.now().toString(36)}`;

function scenarios() {
  let n = 0;
  const existing = 500;
  const identifyBody = JSON.stringify({ first_name: 'Dana', plan: 'pro', visits: 3 });
  return {
    'identify, new people': [
      {
        method: 'PUT',
        headers,
        setupRequest: (req) => ({ ...req, path: `/api/v1/customers/${run}-new-${n++}`, body: identifyBody }),
      },
    ],
    'identify, existing people': [
      {
        method: 'PUT',
        headers,
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/customers/${run}-old-${n++ % existing}`,
          body: JSON.stringify({ visits: n }),
        }),
      },
    ],
    event: [
      {
        method: 'POST',
        headers,
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/customers/${run}-old-${n++ % existing}/events`,
          body: JSON.stringify({ name: 'purchase', data: { price: 10 } }),
        }),
      },
    ],
    'v2 batch of 100 identifies': [
      {
        method: 'POST',
        path: '/api/v2/batch',
        headers,
        setupRequest: (req) => {
          const batch = [];
          for (let i = 0; i < 100; i++)
            batch.push({
              type: 'person',
              identifiers: { id: `${run}-b-${n++ % 20000}` },
              action: 'identify',
              attributes: { n },
            });
          return { ...req, body: JSON.stringify({ batch }) };
        },
      },
    ],
  };
}

async function seed(url) {
  // The "existing" people, so updates and events find someone.
  const batch = [];
  for (let i = 0; i < 500; i++)
    batch.push({
      type: 'person',
      identifiers: { id: `${run}-old-${i}` },
      action: 'identify',
      attributes: { seeded: true },
    });
  const res = await fetch(`${url}/api/v2/batch`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ batch }),
  });
  if (res.status !== 200) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
}

const FLOORED = ['identify, new people', 'identify, existing people', 'v2 batch of 100 identifies'];

/** The floor server's rates for the scenarios it serves (see bench/floor-server.mjs). */
async function measureFloor(ceilingRps, rows) {
  const floor = await startFloorServer();
  const rates = {};
  try {
    await seed(floor.url);
    const all = scenarios();
    for (const name of FLOORED) {
      const r = await load({
        url: floor.url,
        connections: CONNECTIONS,
        duration: DURATION,
        requests: all[name],
      });
      const perUpdate = name.startsWith('v2') ? 100 : 1;
      rates[name] = r.rps;
      rows.push({
        name: `floor (raw SQL on Roster's schema, no product): ${name}`,
        value: r.rps * perUpdate,
        unit: perUpdate > 1 ? 'person updates/s' : 'req/s',
        ceiling: ceilingRps,
        ratio: perUpdate > 1 ? null : ratio(r.rps, ceilingRps),
        notes: `p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : ''}`,
      });
    }
  } finally {
    floor.stop();
  }
  return rates;
}

/**
 * The SQLite upsert floor's identify rates (bench/sqlite-floor-server.mjs): one prepared upsert per
 * request, each its own transaction, WAL, synchronous=NORMAL.
 */
async function measureSqliteFloor(ceilingRps, rows) {
  const floor = await startSqliteFloorServer();
  const rates = {};
  try {
    const all = scenarios();
    for (const name of PG_FLOORED) {
      const r = await load({
        url: floor.url,
        connections: CONNECTIONS,
        duration: DURATION,
        requests: all[name],
      });
      rates[name] = r.rps;
      rows.push({
        name: `SQLite floor (one prepared upsert per request, WAL, synchronous=NORMAL): ${name}`,
        value: r.rps,
        unit: 'req/s',
        ceiling: ceilingRps,
        ratio: ratio(r.rps, ceilingRps),
        notes: `p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : ''}`,
      });
    }
  } finally {
    floor.stop();
  }
  return rates;
}

/** Roster on SQLite against the upsert floor, as rows of their own. */
function sqliteFloorRatios(rows, upsertFloor) {
  for (const name of PG_FLOORED) {
    const roster = rows.find((r) => r.name === `SQLite: ${name}`);
    if (!roster || !upsertFloor[name]) continue;
    rows.push({
      name: `SQLite ${name} / SQLite upsert floor`,
      value: roster.value,
      unit: 'req/s',
      ceiling: upsertFloor[name],
      ratio: ratio(roster.value, upsertFloor[name]),
      target: name === 'identify, new people' ? '≥ 0.5' : '',
      notes: '',
    });
  }
}

async function measureEngine(label, server, ceilingRps, rows, floor = {}) {
  await seed(server.url);
  const rssBefore = rssMb(server.pid);
  let warm;
  for (const [name, requests] of Object.entries(scenarios())) {
    const r = await load({ url: server.url, connections: CONNECTIONS, duration: DURATION, requests });
    warm ??= { rss: rssMb(server.pid), heap: await server.heapAfterGcMb() };
    const perUpdate = name.startsWith('v2') ? 100 : 1;
    rows.push({
      name: `${label}: ${name}`,
      value: r.rps * perUpdate,
      unit: perUpdate > 1 ? 'person updates/s' : 'req/s',
      ceiling: ceilingRps,
      ratio: perUpdate > 1 ? null : ratio(r.rps, ceilingRps),
      target:
        name === 'identify, new people' && label === 'SQLite'
          ? '≥ 0.5 of ceiling'
          : name.startsWith('v2')
            ? '≥ 50,000/s'
            : '',
      notes: `p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : ''}${floor[name] ? `; ${ratio(r.rps, floor[name])} of the floor` : ''}`,
    });
    if (name !== 'identify, existing people') continue;
    // p99 at half the maximum identify rate, measured right after that maximum, on the same
    // workload (later scenarios such as 20,000-person batches would leave their own aftermath).
    const max = r.rps;
    const half = await load({
      url: server.url,
      connections: CONNECTIONS,
      duration: DURATION,
      overallRate: Math.max(1, Math.floor(max / 2)),
      requests,
    });
    rows.push({
      name: `${label}: identify p99 at half the max rate (${Math.floor(max / 2)} req/s)`,
      value: half.p99,
      unit: 'ms',
      ceiling: null,
      ratio: null,
      target: '< 20 ms',
      notes: `p50 ${half.p50} ms`,
    });
  }

  // Memory under sustained load: the first scenario again, then RSS and heap against the same
  // figures right after that scenario's first run (start-up to warm is JIT code and caches, not load).
  await load({
    url: server.url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: scenarios()['identify, new people'],
  });
  const rssAfter = rssMb(server.pid);
  const heapAfter = await server.heapAfterGcMb();
  rows.push({
    name: `${label}: server RSS after warm-up → after sustained load`,
    value: rssAfter,
    unit: 'MB',
    ceiling: warm.rss,
    ratio: ratio(rssAfter, warm.rss),
    target: 'flat',
    notes: `${rssBefore} MB at start; JS heap after GC ${warm.heap} → ${heapAfter} MB`,
  });
}

const STORED = 10_000;

/**
 * Bytes per person and per event: how much the database grows over 10,000 new people (v2 batches
 * of 100, the identify scenarios' three attributes) and then over 10,000 events on them: the people
 * row with its indexes and its history rows (profile_create, attribute_change), the event with its
 * activity row. `size` reads the database's size (SQLite: pages in use; PostgreSQL: the database).
 */
async function measureStorage(label, server, size, rows) {
  const post = async (batch) => {
    const res = await fetch(`${server.url}/api/v2/batch`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ batch }),
    });
    if (res.status !== 200) throw new Error(`storage batch answered ${res.status} ${await res.text()}`);
  };
  const id = (i) => `${run}-stored-${i}`;
  const start = await size();
  for (let b = 0; b < STORED / 100; b++)
    await post(
      Array.from({ length: 100 }, (_, i) => ({
        type: 'person',
        identifiers: { id: id(b * 100 + i) },
        action: 'identify',
        attributes: { first_name: 'Dana', plan: 'pro', visits: 3 },
      })),
    );
  const people = await size();
  for (let b = 0; b < STORED / 100; b++)
    await post(
      Array.from({ length: 100 }, (_, i) => ({
        type: 'person',
        identifiers: { id: id(b * 100 + i) },
        action: 'event',
        name: 'purchase',
        attributes: { price: 10 },
      })),
    );
  const events = await size();
  rows.push({
    name: `${label}: bytes per person (new person, 3 attributes)`,
    value: Math.round((people - start) / STORED),
    unit: 'B/person',
    ceiling: null,
    ratio: null,
    notes: `growth over ${STORED.toLocaleString('en')} people: the row, its indexes and its history rows`,
  });
  rows.push({
    name: `${label}: bytes per event (1 data field)`,
    value: Math.round((events - people) / STORED),
    unit: 'B/event',
    ceiling: null,
    ratio: null,
    notes: `growth over ${STORED.toLocaleString('en')} events: the event and its activity row, with indexes`,
  });
}

/** SQLite: the pages in use (the WAL's committed pages included), read as another connection would. */
function sqliteSize(dataDir) {
  return async () => {
    const db = new Database(path.join(dataDir, 'roster.db'), { readonly: true, fileMustExist: true });
    try {
      const pages = db.pragma('page_count', { simple: true }) - db.pragma('freelist_count', { simple: true });
      return pages * db.pragma('page_size', { simple: true });
    } finally {
      db.close();
    }
  };
}

/** PostgreSQL: the database's size on disk (tables, indexes, TOAST). */
function pgSize(url) {
  return async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query('select pg_database_size(current_database()) as n');
      return Number(r.rows[0].n);
    } finally {
      await c.end();
    }
  };
}

const PG_FLOORED = ['identify, new people', 'identify, existing people'];

/** The PostgreSQL floor's identify rates (bench/pg-floor-server.mjs), on the database Roster then uses. */
async function measurePgFloor(databaseUrl, ceilingRps, rows) {
  const floor = await startPgFloorServer(databaseUrl);
  const rates = {};
  try {
    const all = scenarios();
    for (const name of PG_FLOORED) {
      const r = await load({
        url: floor.url,
        connections: CONNECTIONS,
        duration: DURATION,
        requests: all[name],
      });
      rates[name] = r.rps;
      rows.push({
        name: `PostgreSQL floor (one prepared jsonb upsert per request, pool 10): ${name}`,
        value: r.rps,
        unit: 'req/s',
        ceiling: ceilingRps,
        ratio: ratio(r.rps, ceilingRps),
        notes: `p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : ''}`,
      });
    }
  } finally {
    floor.stop();
  }
  return rates;
}

/** Roster on PostgreSQL against its floor, and its v2 batches against SQLite's, as rows of their own. */
function floorRatios(rows, pgFloor) {
  for (const name of PG_FLOORED) {
    const roster = rows.find((r) => r.name === `PostgreSQL: ${name}`);
    if (!roster || !pgFloor[name]) continue;
    rows.push({
      name: `PostgreSQL ${name} / PostgreSQL floor`,
      value: roster.value,
      unit: 'req/s',
      ceiling: pgFloor[name],
      ratio: ratio(roster.value, pgFloor[name]),
      target: '≥ 0.9',
      notes: '',
    });
  }
  const pgBatch = rows.find((r) => r.name === 'PostgreSQL: v2 batch of 100 identifies');
  const liteBatch = rows.find((r) => r.name === 'SQLite: v2 batch of 100 identifies');
  if (pgBatch && liteBatch)
    rows.push({
      name: 'PostgreSQL v2 batches / SQLite v2 batches',
      value: pgBatch.value,
      unit: 'person updates/s',
      ceiling: liteBatch.value,
      ratio: ratio(pgBatch.value, liteBatch.value),
      target: '≥ 25,000/s and ≥ 0.5',
      notes: '',
    });
}

/**
 * Two Roster servers on one PostgreSQL, half the connections on each, identifies of existing
 * people: the aggregate rate and the worse p99, beside one server's figures from this run.
 */
async function measureTwoServers(a, b, rows) {
  const requests = scenarios()['identify, existing people'];
  const half = CONNECTIONS / 2;
  const one = await load({ url: a.url, connections: CONNECTIONS, duration: DURATION, requests });
  const [ra, rb] = await Promise.all(
    [a, b].map((s) => load({ url: s.url, connections: half, duration: DURATION, requests })),
  );
  const note =
    'on this 2-core machine the two servers, PostgreSQL and the load generator share the same 2 cores: ' +
    'this shows correctness and overhead, not scaling';
  rows.push({
    name: 'PostgreSQL, one server: identify, existing people',
    value: one.rps,
    unit: 'req/s',
    ceiling: null,
    ratio: null,
    notes: `p50 ${one.p50} ms, p99 ${one.p99} ms`,
  });
  rows.push({
    name: 'PostgreSQL, two servers on one database: identify, existing people (aggregate)',
    value: ra.rps + rb.rps,
    unit: 'req/s',
    ceiling: one.rps,
    ratio: ratio(ra.rps + rb.rps, one.rps),
    notes: `p99 ${Math.max(ra.p99, rb.p99)} ms (one server: ${one.p99} ms); ${note}`,
  });
}

/**
 * How long a key rotated through one server takes to open the other (LISTEN/NOTIFY; the cache's
 * fallback would take up to 10 s): the median of 5 rotations, each polled on the other server.
 */
async function measurePropagation(a, b, rows) {
  const times = [];
  const { siteId } = BENCH_CREDENTIALS;
  let appKey = BENCH_CREDENTIALS.appApiKey;
  for (let i = 0; i < 5; i++) {
    // Server B holds the current key in memory.
    await fetch(`${b.url}/api/v1/customers/propagation`, { method: 'PUT', headers, body: '{}' });
    const res = await fetch(`${a.url}/v1/workspace/rotate-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ track: true, app: true }),
    });
    if (res.status !== 200) throw new Error(`rotate-keys answered ${res.status}`);
    const keys = await res.json();
    appKey = keys.app_api_key;
    const auth = `Basic ${Buffer.from(`${siteId}:${keys.api_key}`).toString('base64')}`;
    const started = performance.now();
    for (;;) {
      const r = await fetch(`${b.url}/api/v1/customers/propagation`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: '{}',
      });
      if (r.status === 200) break;
      if (performance.now() - started > 30_000)
        throw new Error('a rotated key never reached the other server');
    }
    times.push(performance.now() - started);
    // Back to the bench's own keys for whatever runs next.
    headers.authorization = auth;
  }
  times.sort((x, y) => x - y);
  rows.push({
    name: 'PostgreSQL, two servers: a rotated key opens the other server after',
    value: Math.round(times[2] * 10) / 10,
    unit: 'ms',
    ceiling: null,
    ratio: null,
    target: '< 1,000 ms',
    notes: `median of 5 (${times.map((t) => Math.round(t)).join(', ')} ms); LISTEN/NOTIFY, 10 s fallback`,
  });
}

/**
 * The bare server's rate, measured right before the engine it is the ceiling for: on a shared
 * 2-core VM the ceiling itself drifts by 2x over a few minutes, so one measurement at the start
 * would make later ratios meaningless.
 */
async function measureCeiling(label, rows) {
  const bare = await startBareServer();
  try {
    const c = await load({
      url: bare.url,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: scenarios()['identify, new people'],
    });
    rows.push({
      name: `ceiling (before ${label}): bare node:http answering {}`,
      value: c.rps,
      unit: 'req/s',
      ceiling: c.rps,
      ratio: 1,
      notes: `p50 ${c.p50} ms, p99 ${c.p99} ms`,
    });
    return c.rps;
  } finally {
    bare.stop();
  }
}

/** `BENCH_INGEST_ENGINES=postgres` (or `sqlite`) runs one engine's part alone, e.g. while working on it. */
const ENGINES = (process.env.BENCH_INGEST_ENGINES ?? 'sqlite,postgres').split(',');

export async function runIngest() {
  const rows = [];
  let ceiling;
  if (ENGINES.includes('sqlite')) {
    ceiling = await measureCeiling('SQLite', rows);
    const floor = await measureFloor(ceiling, rows);
    const upsertFloor = await measureSqliteFloor(ceiling, rows);
    const sqlite = await startRoster();
    try {
      await measureEngine('SQLite', sqlite, ceiling, rows, floor);
      sqliteFloorRatios(rows, upsertFloor);
      await measureStorage('SQLite', sqlite, sqliteSize(sqlite.dataDir), rows);
    } finally {
      sqlite.stop();
    }
  }
  const db = ENGINES.includes('postgres') ? await createPgDatabase() : undefined;
  if (db) {
    ceiling = await measureCeiling('PostgreSQL', rows);
    const pgFloor = await measurePgFloor(db.url, ceiling, rows);
    const pgServer = await startRoster({ databaseUrl: db.url });
    let second;
    try {
      await measureEngine('PostgreSQL', pgServer, ceiling, rows, pgFloor);
      floorRatios(rows, pgFloor);
      await measureStorage('PostgreSQL', pgServer, pgSize(db.url), rows);
      second = await startRoster({ databaseUrl: db.url });
      await measureTwoServers(pgServer, second, rows);
      await measurePropagation(pgServer, second, rows);
    } finally {
      pgServer.stop();
      second?.stop();
      await db.drop();
    }
  } else rows.push({ name: 'PostgreSQL', value: null, unit: '', notes: 'no PostgreSQL reachable; skipped' });
  return rows;
}

export { runIngest as run };

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(table(await runIngest()));
}
