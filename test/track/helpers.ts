import http from 'node:http';
import { TrackClient } from 'customerio-node';
import { openStore } from '../../packages/server/src/store/open-store.js';
import { parseJson, type Store } from '../../packages/server/src/store/store.js';
import { storedActivities } from '../../packages/server/src/store/activities/activities-read.js';
import { startServer, type ServerProcess, type StartOptions } from '../helpers/server-process.js';

/** customerio-node pointed at a Roster server, as a user would configure it. */
export function trackClient(server: ServerProcess, retries = 0): TrackClient {
  return new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
    url: server.trackUrl,
    retry: { maxRetries: retries },
  } as never);
}

/** The server's store, opened directly (the same SQLite file or PostgreSQL database). */
export function openServerStore(server: ServerProcess): Promise<Store> {
  return openStore({ databaseUrl: server.databaseUrl, dataDir: server.dataDir });
}

export interface StoredPerson {
  pid: number;
  cio_id: string;
  id: string | null;
  email: string | null;
  attributes: Record<string, unknown>;
  attr_ts: Record<string, number>;
  unsubscribed: number;
}

export async function personBy(
  store: Store,
  kind: 'id' | 'email' | 'cio_id',
  value: string,
): Promise<StoredPerson | undefined> {
  const col = kind === 'email' ? 'email_norm' : kind;
  const row = await store.db
    .selectFrom('people')
    .selectAll()
    .where(col, '=', kind === 'email' ? value.toLowerCase() : value)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    pid: row.pid,
    cio_id: row.cio_id,
    id: row.id,
    email: row.email,
    attributes: parseJson(row.attributes),
    attr_ts: parseJson(row.attr_ts),
    unsubscribed: row.unsubscribed,
  };
}

/**
 * A person's history as the activities it records, oldest first: a stored row that stands for two
 * (a new person's create_change) as those two, and the identifiers a row leaves out (its person's,
 * recorded by an earlier row) filled in, as the App API reads them.
 */
export async function activitiesOf(store: Store, pid: number) {
  const rows = await store.db
    .selectFrom('activities')
    .selectAll()
    .where('person_pid', '=', pid)
    .orderBy('id')
    .execute();
  let identifiers: unknown = null;
  return rows.flatMap(storedActivities).map((r) => {
    if (r.customer_identifiers !== null) identifiers = r.customer_identifiers;
    return {
      ...r,
      customer_identifiers: r.customer_identifiers ?? identifiers,
      data: parseJson<Record<string, unknown> | null>(r.data),
    };
  });
}

export async function devicesOf(store: Store, pid: number) {
  const rows = await store.db
    .selectFrom('devices')
    .selectAll()
    .where('person_pid', '=', pid)
    .orderBy('token')
    .execute();
  return rows.map((r) => ({ ...r, attributes: parseJson<Record<string, unknown>>(r.attributes) }));
}

export async function eventsOf(store: Store, pid: number) {
  const rows = await store.db
    .selectFrom('events')
    .selectAll()
    .where('person_pid', '=', pid)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, data: parseJson<Record<string, unknown>>(r.data) }));
}

export function basic(siteId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`;
}

/** fetch against the server with its credentials (raw HTTP: what no client sends). */
export function raw(server: ServerProcess) {
  const auth = basic(server.credentials.siteId, server.credentials.apiKey);
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = { notJson: text };
    }
    return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
  };
}

/**
 * `startServer` with info logging: the helper defaults to `warn`, which hides the "roster listening
 * on" line it waits for (the App API suites work around it the same way).
 */
export function startTrackServer(options: StartOptions = {}): Promise<ServerProcess> {
  return startServer({ ...options, env: { ROSTER_LOG_LEVEL: 'info', ...options.env } });
}

/** An answer as received: status, headers (without `date`, which differs between two answers), body. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * One request over its own connection with exactly the headers given (raw HTTP, what no client
 * library lets a test shape); with `expect: 100-continue` the body goes after the server's 100.
 */
export function send(
  server: ServerProcess,
  method: string,
  target: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${target}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = { ...res.headers } as Record<string, string>;
        delete h.date;
        resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    if (headers.expect === '100-continue') req.on('continue', () => req.end(body));
    else req.end(body);
  });
}
