import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerProcess } from '../helpers/server-process.js';

export const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `roster` CLI to completion. */
export function roster(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `--data DIR` or `--database-url URL`: where a server process keeps its store. */
export function storeArgs(srv: Pick<ServerProcess, 'dataDir' | 'databaseUrl'>): string[] {
  return srv.databaseUrl ? ['--database-url', srv.databaseUrl] : ['--data', srv.dataDir];
}

/** A parsed JSON answer, read loosely by the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export async function appGet(srv: ServerProcess, url: string): Promise<{ status: number; body: Loose }> {
  const res = await fetch(`${srv.url}${url}`, {
    headers: { authorization: `Bearer ${srv.credentials.appApiKey}` },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function appPost(
  srv: ServerProcess,
  url: string,
  body: unknown,
): Promise<{ status: number; body: Loose }> {
  const res = await fetch(`${srv.url}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${srv.credentials.appApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function trackPut(srv: ServerProcess, url: string, body: unknown): Promise<number> {
  const auth = Buffer.from(`${srv.credentials.siteId}:${srv.credentials.apiKey}`).toString('base64');
  const res = await fetch(`${srv.url}${url}`, {
    method: 'PUT',
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
