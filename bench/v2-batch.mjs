// v2 batches of identifies on SQLite and PostgreSQL, alone: person updates/s, the PostgreSQL /
// SQLite ratio of the same round, and the server's (and PostgreSQL's) CPU per batch. The v2 rows of
// bench/ingest.mjs without the rest, for working on the batch path (targets: ≥ 25,000/s on
// PostgreSQL and ≥ 0.5 of SQLite). `BENCH_ROUNDS` (default 2) alternates the engines that many
// times so both see the same machine; `BENCH_BATCH` items per batch (default 100);
// `BENCH_INGEST_ENGINES=postgres` runs one engine; `BENCH_CPU_PROF=dir` profiles the PostgreSQL server.
import { pathToFileURL } from 'node:url';
import { basicAuth, createPgDatabase, startRoster, table } from './lib.mjs';
import { measured, seed } from './ingest.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SIZE = Number(process.env.BENCH_BATCH ?? 100);
const ENGINES = (process.env.BENCH_INGEST_ENGINES ?? 'sqlite,postgres').split(',');
const NAME = `v2 batch of ${SIZE} identifies`;
const tag = `r${Date.now().toString(36)}`;

/** bench/ingest.mjs's v2 scenario with `SIZE` items: 20,000 ids, created first, then updated. */
function batches() {
  let n = 0;
  const headers = { authorization: basicAuth, 'content-type': 'application/json' };
  const setupRequest = (req) => {
    const batch = [];
    for (let i = 0; i < SIZE; i++)
      batch.push({
        type: 'person',
        identifiers: { id: `${tag}-b-${n++ % 20000}` },
        action: 'identify',
        attributes: { n },
      });
    return { ...req, body: JSON.stringify({ batch }) };
  };
  return [{ method: 'POST', path: '/api/v2/batch', headers, setupRequest }];
}

function row(label, round, r, extra = {}) {
  const db = Number.isNaN(r.dbCpuUs) ? '' : `, PostgreSQL CPU ${r.dbCpuUs} µs/batch`;
  return {
    name: `round ${round} ${label}: ${NAME}`,
    value: r.rps * SIZE,
    unit: 'person updates/s',
    notes: `server CPU ${r.cpuUs} µs/batch${db}, p99 ${r.p99} ms, ${r.non2xx} non-2xx`,
    ...extra,
  };
}

export async function run() {
  const rows = [];
  const db = ENGINES.includes('postgres') ? await createPgDatabase() : undefined;
  if (ENGINES.includes('postgres') && !db) throw new Error('no PostgreSQL reachable (TEST_DATABASE_URL)');
  const prof = process.env.BENCH_CPU_PROF;
  const lite = ENGINES.includes('sqlite') ? await startRoster() : undefined;
  const pgServer = db
    ? await startRoster({
        databaseUrl: db.url,
        nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
      })
    : undefined;
  try {
    for (const s of [lite, pgServer]) if (s) await seed(s.url);
    for (let round = 1; round <= ROUNDS; round++) {
      const l = lite && (await measured(lite, batches()));
      const p = pgServer && (await measured(pgServer, batches(), { databaseUrl: db.url }));
      if (l) rows.push(row('SQLite', round, l));
      if (p) {
        const ratio = l ? Math.round((p.rps / Math.max(1e-9, l.rps)) * 100) / 100 : null;
        rows.push(row('PostgreSQL', round, p, { ratio, target: '≥ 25,000/s, ≥ 0.5' }));
      }
    }
  } finally {
    lite?.stop();
    if (pgServer && prof) process.kill(pgServer.pid, 'SIGTERM');
    else pgServer?.stop();
    // A profile is written as the process exits.
    if (prof) await new Promise((r) => setTimeout(r, 2000));
    await db?.drop();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(table(await run()));
