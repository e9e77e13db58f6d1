// Shared pieces of the benchmarks: child processes for the bare ceiling and for roster serve,
// autocannon runs, and the results table. Every figure is reported beside a ceiling measured in
// the same run on the same machine.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'packages/server/dist/cli/main.js');

export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

function waitForLine(child, pattern, timeoutMs = 20_000) {
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}:\n${out}`)), timeoutMs);
    const on = (c) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m);
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

/** The ceiling: a bare node:http server that reads the body and answers `{}`, in its own process. */
export async function startBareServer() {
  const code = `
    const http = require('node:http');
    const s = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => { res.writeHead(200, {'content-type': 'application/json; charset=utf-8'}); res.end('{}\\n'); });
    });
    s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await waitForLine(child, /listening (\d+)/);
  return { url: `http://127.0.0.1:${m[1]}`, pid: child.pid, stop: () => child.kill('SIGKILL') };
}

/**
 * The SQLite floor (bench/floor-server.mjs): the same writes as Roster's identify with raw
 * statements on Roster's schema and nothing else, in its own process.
 */
export async function startFloorServer() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-floor-'));
  execFileSync(process.execPath, [CLI, 'workspace', 'create', '--data', dataDir], { stdio: 'ignore' });
  // The same Node flags as Roster's server (`npm start`), so the floor stays a floor.
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', path.join(ROOT, 'bench/floor-server.mjs'), dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const m = await waitForLine(child, /listening (\d+)/);
  return {
    url: `http://127.0.0.1:${m[1]}`,
    pid: child.pid,
    stop() {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The PostgreSQL floor (bench/pg-floor-server.mjs): one prepared single-row jsonb upsert per
 * request on `databaseUrl`, pool of 10 as a Roster server, in its own process.
 */
export async function startPgFloorServer(databaseUrl) {
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', path.join(ROOT, 'bench/pg-floor-server.mjs'), databaseUrl],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m = await waitForLine(child, /listening (\d+)/);
  return { url: `http://127.0.0.1:${m[1]}`, pid: child.pid, stop: () => child.kill('SIGKILL') };
}

/**
 * The SQLite upsert floor (bench/sqlite-floor-server.mjs): one prepared single-row upsert per
 * request, each its own transaction (WAL, synchronous=NORMAL), on its own file, in its own process.
 */
export async function startSqliteFloorServer() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-sqlite-floor-'));
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=64', path.join(ROOT, 'bench/sqlite-floor-server.mjs'), dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const m = await waitForLine(child, /listening (\d+)/);
  return {
    url: `http://127.0.0.1:${m[1]}`,
    pid: child.pid,
    stop() {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createPgDatabase() {
  const admin =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const c = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
  } catch {
    return undefined;
  }
  const name = `roster_bench_${randomBytes(4).toString('hex')}`;
  await c.query(`create database "${name}"`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists "${name}" with (force)`);
      await d.end();
    },
  };
}

export const BENCH_CREDENTIALS = {
  siteId: 'benchsite',
  apiKey: 'benchtrackkey0001',
  appApiKey: 'app_benchappkey000000000001',
};

/** `roster serve` in its own process, on SQLite (a temp directory) or PostgreSQL. */
export async function startRoster({
  databaseUrl,
  env: extraEnv = {},
  dataDir: sharedDir,
  nodeArgs = [],
} = {}) {
  // `dataDir`: another server's (a second process on the same SQLite file); left to that server.
  const dataDir = sharedDir ?? mkdtempSync(path.join(tmpdir(), 'roster-bench-'));
  const probe = path.join(ROOT, 'bench/gc-probe.mjs');
  const args = [
    // `nodeArgs`: e.g. `--cpu-prof` to profile a run (written when the server exits on SIGTERM).
    ...nodeArgs,
    // As `npm start` runs it (package.json).
    '--max-semi-space-size=64',
    '--expose-gc',
    '--import',
    pathToFileURL(probe).href,
    CLI,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--data',
    dataDir,
    '--log-level',
    'warn',
  ];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const env = {
    ...process.env,
    ROSTER_SITE_ID: BENCH_CREDENTIALS.siteId,
    ROSTER_API_KEY: BENCH_CREDENTIALS.apiKey,
    ROSTER_APP_API_KEY: BENCH_CREDENTIALS.appApiKey,
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // 60 s: on a loaded machine a start (migrations, workers) has taken more than 20.
  const m = await waitForLine(child, /roster listening on (http:\/\/[^\s"]+)/, 60_000);
  let heapLines = '';
  child.stderr.on('data', (c) => (heapLines += c.toString()));
  return {
    url: m[1],
    pid: child.pid,
    /** SQLite: the data directory (`roster.db` inside it). */
    dataDir,
    /** The server's JS heap in use right after a full GC, in MB (bench/gc-probe.mjs). */
    async heapAfterGcMb() {
      const seen = heapLines.length;
      child.kill('SIGUSR2');
      for (let i = 0; i < 100; i++) {
        const hit = /roster-bench heap-after-gc (\d+)/.exec(heapLines.slice(seen));
        if (hit) return Math.round((Number(hit[1]) / 2 ** 20) * 10) / 10;
        await new Promise((r) => setTimeout(r, 50));
      }
      return NaN;
    },
    stop() {
      child.kill('SIGKILL');
      if (!sharedDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const basicAuth = `Basic ${Buffer.from(`${BENCH_CREDENTIALS.siteId}:${BENCH_CREDENTIALS.apiKey}`).toString('base64')}`;

/** One autocannon run; resolves with requests/s, latency percentiles and error counts. */
export function load({ url, connections = 20, duration = 4, overallRate, requests }) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration, overallRate, requests, timeout: 10 }, (err, result) => {
      if (err) return reject(err);
      resolve({
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
        total: result.requests.total,
      });
    });
  });
}

export function ratio(value, ceiling) {
  return ceiling ? Math.round((value / ceiling) * 1000) / 1000 : null;
}

export function table(rows) {
  const head =
    '| benchmark | value | unit | ceiling | ratio | target | notes |\n|---|---:|---|---:|---:|---|---|';
  const fmt = (v) =>
    v === null || v === undefined || Number.isNaN(v)
      ? '—'
      : typeof v === 'number'
        ? String(Math.round(v * 100) / 100)
        : String(v);
  return [
    head,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${fmt(r.ceiling)} | ${fmt(r.ratio)} | ${r.target ?? ''} | ${r.notes ?? ''} |`,
    ),
  ].join('\n');
}
