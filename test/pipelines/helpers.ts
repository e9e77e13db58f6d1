import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { startServer, type ServerProcess, type StartOptions } from '../helpers/server-process.js';

export interface Person {
  id: string;
  attributes: Record<string, string>;
  devices: Array<{ id: string; platform: string; attributes: Record<string, string> }>;
}

export interface Activity {
  type: string;
  name?: string | null;
  url?: string;
  source?: string;
  timestamp?: number;
  data: Record<string, unknown>;
}

export interface IngestErrorView {
  message_id: string | null;
  reason: string;
  message: string;
  type: string | null;
  event: string | null;
}

export interface PipelinesServer {
  server: ServerProcess;
  /** The default workspace's public write key (ROSTER_WRITE_KEY). */
  writeKey: string;
  /** Its server write key (ROSTER_SERVER_WRITE_KEY). */
  serverWriteKey: string;
  url: string;
  /** `Authorization: Basic base64(writeKey + ":")`. */
  basic(key?: string): string;
  /** POSTs a body (JSON-encoded unless a string/Buffer) and returns status, headers and parsed JSON. */
  post(
    path: string,
    body: unknown,
    options?: { headers?: Record<string, string>; gzip?: boolean },
  ): Promise<{ status: number; headers: Headers; json: unknown }>;
  /** App API GET with the default workspace's App key. */
  app<T = Record<string, unknown>>(path: string): Promise<{ status: number; json: T }>;
  /** A person's attributes and devices through the App API (undefined when 404). */
  person(id: string, idType?: 'id' | 'email' | 'cio_id'): Promise<Person | undefined>;
  /** A person's activities, newest first. */
  activities(id: string, idType?: 'id' | 'email' | 'cio_id'): Promise<Activity[]>;
}

export async function startPipelinesServer(
  engine: 'sqlite' | 'postgres',
  options: StartOptions = {},
): Promise<PipelinesServer> {
  const writeKey = `wk_${randomBytes(16).toString('hex')}`;
  const serverWriteKey = `swk_${randomBytes(20).toString('hex')}`;
  const server = await startServer({
    engine,
    ...options,
    env: { ROSTER_WRITE_KEY: writeKey, ROSTER_SERVER_WRITE_KEY: serverWriteKey, ...options.env },
  });
  const appHeaders = { authorization: `Bearer ${server.credentials.appApiKey}` };
  const self: PipelinesServer = {
    server,
    writeKey,
    serverWriteKey,
    url: server.url,
    basic: (key = writeKey) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
    async post(path, body, opts = {}) {
      let payload: Buffer | string =
        typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
      if (opts.gzip) {
        payload = gzipSync(payload);
        headers['content-encoding'] = 'gzip';
      }
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers,
        body: typeof payload === 'string' ? payload : new Uint8Array(payload),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
    },
    async app<T>(path: string) {
      const res = await fetch(`${server.url}${path}`, { headers: appHeaders });
      return { status: res.status, json: (await res.json()) as T };
    },
    async person(id, idType = 'id') {
      const res = await self.app<{ customer: Person }>(
        `/v1/customers/${encodeURIComponent(id)}/attributes?id_type=${idType}`,
      );
      return res.status === 404 ? undefined : res.json.customer;
    },
    async activities(id, idType = 'id') {
      const res = await self.app<{ activities?: Activity[] }>(
        `/v1/customers/${encodeURIComponent(id)}/activities?id_type=${idType}&limit=100`,
      );
      return res.json.activities ?? [];
    },
  };
  return self;
}
