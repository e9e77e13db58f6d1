// v2 batches of 100 identifies on SQLite and PostgreSQL, alone: person updates/s, the PostgreSQL /
// SQLite ratio of the same run, and the server's (and PostgreSQL's) CPU per batch. The v2 rows of
// bench/ingest.mjs without the rest, for working on the batch path (targets: ≥ 25,000/s on
// PostgreSQL and ≥ 0.5 of SQLite). `BENCH_ROUNDS` (default 2) alternates the engines that many
// times so both see the same machine; `BENCH_CPU_PROF=dir` profiles the PostgreSQL server.
import { pathToFileURL } from 'node:url';
import { createPgDatabase, startRoster, table } from './lib.mjs';
import { measured, scenarios, seed } from './ingest.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const NAME = 'v2 batch of 100 identifies';

export async function run() {
  const rows = [];
  const db = await createPgDatabase();
  if (!db) throw new Error('no PostgreSQL reachable (TEST_DATABASE_URL)');
  const prof = process.env.BENCH_CPU_PROF;
  const lite = await startRoster();
  const pgServer = await startRoster({
    databaseUrl: db.url,
    nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
  });
  try {
    await seed(lite.url);
    await seed(pgServer.url);
    for (let round = 1; round <= ROUNDS; round++) {
      // A fresh scenario per engine and round: the same ids (new people first, then updates).
      const l = await measured(lite, scenarios()[NAME]);
      const p = await measured(pgServer, scenarios()[NAME], { databaseUrl: db.url });
      const ratio = Math.round(((p.rps * 100) / Math.max(1, l.rps * 100)) * 100) / 100;
      rows.push(
        {
          name: `round ${round} SQLite: ${NAME}`,
          value: l.rps * 100,
          unit: 'person updates/s',
          notes: `server CPU ${l.cpuUs} µs/batch, p99 ${l.p99} ms, ${l.non2xx} non-2xx`,
        },
        {
          name: `round ${round} PostgreSQL: ${NAME}`,
          value: p.rps * 100,
          unit: 'person updates/s',
          ratio,
          target: '≥ 25,000/s, ≥ 0.5',
          notes: `server CPU ${p.cpuUs} µs/batch, PostgreSQL CPU ${p.dbCpuUs} µs/batch, p99 ${p.p99} ms, ${p.non2xx} non-2xx`,
        },
      );
    }
  } finally {
    lite.stop();
    if (prof) process.kill(pgServer.pid, 'SIGTERM');
    else pgServer.stop();
    await new Promise((r) => setTimeout(r, prof ? 2000 : 0));
    await db.drop();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(table(await run()));
