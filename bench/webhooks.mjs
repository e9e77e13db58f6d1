// Webhooks benchmark: identify on one server with no active subscription, then with 5 active
// subscriptions (each wanting person.updated) against a receiver on loopback, alternating twice so
// drift hits both sides. Figures: the identify rate with 5 subscriptions as a ratio of the rate with
// none (target ≥ 0.8: writing the change is part of the write; fanning out and sending are not),
// events delivered per second while the load ran against 5 × that run's identify rate (target ≥ 1,
// the outbox keeps up), and the backlog when the load stopped and how long it took to drain.
// Twice: subscriptions taking batches (`batch` 100, a receiver that allows them: the issue's
// "batched where the receiver allows it"), and one event per request (`batch` 1).
// BENCH_WEBHOOK_BATCHES=100 (or 1) runs one of them only.
// SQLite always; PostgreSQL when TEST_DATABASE_URL (or ROSTER_BENCH_PG_URL) names a server.
// Run after `npm run build`: `node bench/webhooks.mjs`. Exports `run()` for bench/run.mjs.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { basicAuth, BENCH_CREDENTIALS, createPgDatabase, load, ratio, startRoster } from './lib.mjs';

const CONNECTIONS = 20;
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const SUBSCRIPTIONS = 5;
const PEOPLE = 1000;
const BATCHES = (process.env.BENCH_WEBHOOK_BATCHES ?? '100,1').split(',').map(Number);
/** BENCH_WEBHOOK_SENDER=0 leaves out the rows with a separate sender process. */
const SENDER = process.env.BENCH_WEBHOOK_SENDER !== '0';
const headers = { authorization: basicAuth, 'content-type': 'application/json' };

const avg0 = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A process's CPU time (user + system) so far, in ms, from /proc (Linux; NaN elsewhere). */
function cpuMs(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Counts events received: one per request, or each of a batch's `events`. */
async function receiver() {
  let received = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    const batch = req.headers['roster-webhook-batch-size'];
    requests++;
    req.resume();
    req.on('end', () => {
      received += batch === undefined ? 1 : Number(batch);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    count: () => received,
    requests: () => requests,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))),
  };
}

async function app(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_CREDENTIALS.appApiKey}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

let counter = 0;
/** Identifies of existing people, each changing an attribute (so each makes a person.updated). */
function identify(url, duration = DURATION) {
  return load({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'PUT',
        headers,
        setupRequest: (req) => {
          const n = counter++;
          return { ...req, path: `/api/v1/customers/wh-${n % PEOPLE}`, body: JSON.stringify({ n }) };
        },
      },
    ],
  });
}

/**
 * `sender`: the API server runs with `ROSTER_WEBHOOK_WORKER=0` and a second `roster serve` on the
 * same database (SQLite: the same file) sends, with its push and broadcast workers off.
 */
async function measure(engine, databaseUrl, batch, sender = false) {
  const label = `${engine}, batch ${batch}${sender ? ', separate sender process' : ''}`;
  const hook = await receiver();
  const roster = await startRoster({
    databaseUrl,
    env: { ROSTER_WEBHOOK_ALLOW_PRIVATE: '1', ...(sender ? { ROSTER_WEBHOOK_WORKER: '0' } : {}) },
  });
  const worker = sender
    ? await startRoster({
        databaseUrl,
        dataDir: roster.dataDir,
        env: { ROSTER_WEBHOOK_ALLOW_PRIVATE: '1', ROSTER_DELIVERY_WORKER: '0', ROSTER_BROADCAST_WORKER: '0' },
      })
    : undefined;
  try {
    // The people exist first, so every measured identify is the same kind of write.
    await identify(roster.url, 2);
    const subs = [];
    for (let i = 0; i < SUBSCRIPTIONS; i++)
      subs.push(
        (
          await app(roster.url, 'POST', '/v1/webhooks', {
            url: hook.url,
            events: ['person.updated'],
            enabled: false,
            batch,
          })
        ).webhook.id,
      );
    const setEnabled = async (enabled) => {
      for (const id of subs) await app(roster.url, 'PUT', `/v1/webhooks/${id}`, { enabled });
    };
    const none = [];
    const five = [];
    // Server CPU (ms) and identifies, with none and with 5 (the sender's apart).
    const cpu = { none: 0, nNone: 0, five: 0, nFive: 0, sender: 0 };
    const loadAvg = [readFileSync('/proc/loadavg', 'utf8').split(' ')[0]];
    let deliveredDuring = 0;
    let loadSeconds = 0;
    let backlogAtEnd = 0;
    let drainMs = 0;
    let expected = 0;
    const requests0 = hook.requests();
    for (let round = 0; round < 2; round++) {
      await setEnabled(false);
      let c0 = cpuMs(roster.pid);
      const r0 = await identify(roster.url);
      cpu.none += cpuMs(roster.pid) - c0;
      cpu.nNone += r0.total;
      none.push(r0.rps);
      await setEnabled(true);
      const before = hook.count();
      const t0 = performance.now();
      c0 = cpuMs(roster.pid);
      const s0 = worker ? cpuMs(worker.pid) : 0;
      const r = await identify(roster.url);
      const seconds = (performance.now() - t0) / 1000;
      cpu.five += cpuMs(roster.pid) - c0;
      cpu.nFive += r.total;
      if (worker) cpu.sender += cpuMs(worker.pid) - s0;
      five.push(r.rps);
      const got = hook.count() - before;
      deliveredDuring += got;
      loadSeconds += seconds;
      expected += r.total * SUBSCRIPTIONS;
      backlogAtEnd = Math.max(backlogAtEnd, r.total * SUBSCRIPTIONS - got);
      // Let the backlog drain before the next round (bounded: 120 s).
      const d0 = performance.now();
      while (hook.count() - before < r.total * SUBSCRIPTIONS && performance.now() - d0 < 120_000)
        await new Promise((res) => setTimeout(res, 50));
      drainMs = Math.max(drainMs, performance.now() - d0);
    }
    loadAvg.push(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    if (process.env.BENCH_PROGRESS === '1')
      console.error(label, {
        rate0: Math.round(avg0(none)),
        rate5: Math.round(avg0(five)),
        deliveredDuring,
        loadSeconds,
        backlogAtEnd,
        drainMs: Math.round(drainMs),
        cpu,
        loadAvg,
      });
    const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const us = (ms, n) => Math.round((ms * 1000) / Math.max(1, n));
    const cpuNote =
      `server CPU per identify ${us(cpu.five, cpu.nFive)} µs with 5, ${us(cpu.none, cpu.nNone)} µs with none` +
      (worker ? `; sender process ${us(cpu.sender, cpu.nFive)} µs per identify` : '') +
      `; load average ${loadAvg.join(' → ')}`;
    const rate0 = avg(none);
    const rate5 = avg(five);
    const deliveriesPerSecond = deliveredDuring / loadSeconds;
    return [
      {
        name: `${label}: identify with ${SUBSCRIPTIONS} active webhook subscriptions`,
        value: rate5,
        unit: 'req/s',
        ceiling: rate0,
        ratio: ratio(rate5, rate0),
        target: '≥ 0.8',
        notes: `ceiling: identify with none, same server, alternating twice; ${cpuNote}`,
      },
      {
        name: `${label}: webhook events delivered during that load`,
        value: deliveriesPerSecond,
        unit: 'events/s',
        ceiling: rate5 * SUBSCRIPTIONS,
        ratio: ratio(deliveriesPerSecond, rate5 * SUBSCRIPTIONS),
        target: '≥ 1 (5 × identify rate)',
        notes: `receiver on loopback; ${SUBSCRIPTIONS} events per identify; ${
          Math.round((hook.count() / Math.max(1, hook.requests() - requests0)) * 10) / 10
        } events per request`,
      },
      {
        name: `${label}: webhook backlog when the load stopped`,
        value: backlogAtEnd,
        unit: 'deliveries',
        ceiling: null,
        ratio: null,
        target: 'bounded',
        notes: `drained ${Math.round(drainMs / 100) / 10} s later; ${Math.round(expected)} queued in all`,
      },
    ];
  } finally {
    worker?.stop();
    roster.stop();
    await hook.close();
  }
}

export async function run() {
  const rows = [];
  for (const batch of BATCHES) rows.push(...(await measure('SQLite', undefined, batch)));
  if (SENDER) rows.push(...(await measure('SQLite', undefined, BATCHES[0], true)));
  const pgUrl = process.env.ROSTER_BENCH_PG_URL ?? process.env.TEST_DATABASE_URL;
  if (pgUrl)
    for (const batch of BATCHES) {
      const db = await createPgDatabase();
      if (!db) break;
      try {
        rows.push(...(await measure('PostgreSQL', db.url, batch)));
      } finally {
        await db.drop();
      }
    }
  if (pgUrl && SENDER) {
    const db = await createPgDatabase();
    if (db)
      try {
        rows.push(...(await measure('PostgreSQL', db.url, BATCHES[0], true)));
      } finally {
        await db.drop();
      }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { table } = await import('./lib.mjs');
  console.log(table(await run()));
}
