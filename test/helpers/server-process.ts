import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './postgres.js';

const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

export interface ServerCredentials {
  siteId: string;
  apiKey: string;
  appApiKey: string;
}

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  /** The Track API base for customerio-node: `${url}/api/v1`. */
  trackUrl: string;
  /** The App API base for customerio-node: `${url}/v1`. */
  appUrl: string;
  credentials: ServerCredentials;
  engine: 'sqlite' | 'postgres';
  dataDir: string;
  databaseUrl: string | undefined;
  child: ChildProcess;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts a new process on the same store (and the same port when possible). */
  restart(): Promise<ServerProcess>;
  /** Stops the process and removes its data (the temporary directory or PostgreSQL database). */
  cleanup(): Promise<void>;
  /** Everything the process printed, for debugging a failing test. */
  output(): string;
}

export interface StartOptions {
  engine?: 'sqlite' | 'postgres';
  /** Reuse a store (restart after a crash); otherwise a fresh one is created. */
  dataDir?: string;
  databaseUrl?: string;
  credentials?: ServerCredentials;
  port?: number;
  env?: Record<string, string>;
  /** The PostgreSQL database behind `databaseUrl`, when a test created it. */
  database?: TestDatabase;
  /** Remove the data directory / drop the database on cleanup (default: when this call created them). */
  ownStore?: boolean;
}

export function randomCredentials(): ServerCredentials {
  return {
    siteId: `site${randomBytes(8).toString('hex')}`,
    apiKey: `trk${randomBytes(12).toString('hex')}`,
    appApiKey: `app_${randomBytes(20).toString('hex')}`,
  };
}

/**
 * Starts a real `roster serve` child process on loopback and resolves once it listens.
 * The server is the built CLI (`npm test` builds first).
 */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const engine = options.engine ?? 'sqlite';
  const ownStore = options.ownStore ?? (!options.dataDir && !options.databaseUrl);
  const credentials = options.credentials ?? randomCredentials();
  // A data directory of its own unless one is given: a PostgreSQL server keeps nothing in it, and
  // it is removed with the server (see `cleanup`), so a test run leaves no empty directories behind.
  const madeDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'roster-test-'));
  let database = options.database;
  let databaseUrl = options.databaseUrl;
  if (engine === 'postgres' && !databaseUrl) {
    database = await createTestDatabase();
    databaseUrl = database.url;
  }
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ROSTER_SITE_ID: credentials.siteId,
    ROSTER_API_KEY: credentials.apiKey,
    ROSTER_APP_API_KEY: credentials.appApiKey,
    ROSTER_LOG_LEVEL: process.env.ROSTER_TEST_LOG_LEVEL ?? 'warn',
    // The fake APNs / FCM (test/fakes) listen on loopback: allowed as push-provider hosts here,
    // refused by default (docs/messaging.md "Providers and their configuration").
    ROSTER_PUSH_PROVIDER_HOSTS: '127.0.0.1,localhost',
    ...options.env,
  };
  delete env.DATABASE_URL;
  const args = [CLI, 'serve', '--host', '127.0.0.1', '--port', String(options.port ?? 0), '--data', dataDir];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Only a bound on a broken start: a busy machine may take several seconds.
    const timer = setTimeout(() => reject(new Error(`server did not start in 60s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /roster listening on (https?:\/\/[^\s"]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = Number(new URL(url).port);
  const proc: ServerProcess = {
    url,
    trackUrl: `${url}/api/v1`,
    appUrl: `${url}/v1`,
    credentials,
    engine,
    dataDir,
    databaseUrl,
    child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
    async restart() {
      await proc.kill('SIGKILL');
      return startServer({ ...options, engine, dataDir, databaseUrl, credentials, port, database, ownStore });
    },
    async cleanup() {
      await proc.kill('SIGKILL');
      // A second process on a shared PostgreSQL made a directory it never wrote to.
      if (madeDir && (ownStore || engine === 'postgres')) rmSync(dataDir, { recursive: true, force: true });
      if (!ownStore) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (database) await database.drop();
    },
    output: () => out,
  };
  return proc;
}
