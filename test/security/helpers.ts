import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ServerCredentials, ServerProcess } from '../helpers/server-process.js';

const CLI = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../packages/server/dist/cli/main.js',
);
const run = promisify(execFile);

/** `roster workspace create` on the server's store: a second workspace and its keys. */
export async function createWorkspace(server: ServerProcess, name: string): Promise<ServerCredentials> {
  const args = ['workspace', 'create', '--name', name, '--json'];
  if (server.databaseUrl) args.push('--database-url', server.databaseUrl);
  else args.push('--data', server.dataDir);
  return JSON.parse((await run(process.execPath, [CLI, ...args])).stdout) as ServerCredentials;
}

/** The `roster` CLI on the server's store. */
export async function cli(server: ServerProcess, ...args: string[]): Promise<string> {
  const where = server.databaseUrl ? ['--database-url', server.databaseUrl] : ['--data', server.dataDir];
  return (await run(process.execPath, [CLI, ...args, ...where])).stdout;
}

export const basic = (c: ServerCredentials) =>
  `Basic ${Buffer.from(`${c.siteId}:${c.apiKey}`).toString('base64')}`;
export const bearer = (c: ServerCredentials) => `Bearer ${c.appApiKey}`;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

/** One HTTP request; `authorization` undefined sends none. */
export async function call(
  server: ServerProcess,
  method: string,
  p: string,
  authorization: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { notJson: text };
  }
  return { status: res.status, headers: res.headers, text, json };
}
