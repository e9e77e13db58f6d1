// Track API ingest: identify (new and existing people), events, and v2 batches of 100, against a
// bare node:http server answering `{}` (the ceiling) with the same client at the same concurrency.
// SQLite always; PostgreSQL when one is reachable. Also p99 at half the maximum rate and the
// server's RSS before and after sustained load.
import { pathToFileURL } from 'node:url';
import {
  basicAuth,
  createPgDatabase,
  load,
  ratio,
  rssMb,
  startBareServer,
  startFloorServer,
  startRoster,
  table,
} from './lib.mjs';

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

export async function runIngest() {
  const rows = [];
  let ceiling = await measureCeiling('SQLite', rows);
  const floor = await measureFloor(ceiling, rows);
  const sqlite = await startRoster();
  try {
    await measureEngine('SQLite', sqlite, ceiling, rows, floor);
  } finally {
    sqlite.stop();
  }
  const db = await createPgDatabase();
  if (db) {
    ceiling = await measureCeiling('PostgreSQL', rows);
    const pgServer = await startRoster({ databaseUrl: db.url });
    try {
      await measureEngine('PostgreSQL', pgServer, ceiling, rows);
    } finally {
      pgServer.stop();
      await db.drop();
    }
  } else rows.push({ name: 'PostgreSQL', value: null, unit: '', notes: 'no PostgreSQL reachable; skipped' });
  return rows;
}

export { runIngest as run };

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(table(await runIngest()));
}
