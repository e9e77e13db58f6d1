import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APIClient } from 'customerio-node';
import { createRoster, type NodeRosterConfig } from '../../packages/sdk/dist/node/index.js';
import type { ServerProcess } from '../helpers/server-process.js';

export type Roster = ReturnType<typeof createRoster>;

export function tempStorage(): string {
  return mkdtempSync(path.join(tmpdir(), 'roster-sdk-'));
}

/** An SDK client as an app would create it, against `url` (a server or a proxy in front of it). */
export function sdk(
  server: Pick<ServerProcess, 'credentials'>,
  url: string,
  storageDir: string,
  extra: Partial<NodeRosterConfig> = {},
): Roster {
  return createRoster({
    siteId: server.credentials.siteId,
    apiKey: server.credentials.apiKey,
    trackingApiUrl: url,
    storageDir,
    flushOnExit: false,
    flushInterval: 60_000,
    requestTimeoutMs: 2_000,
    logLevel: 'none',
    ...extra,
  });
}

/**
 * Flushes until the queue is empty, honouring server Retry-After waits, for at most `budgetMs`.
 * Returns what is left (0 on success).
 */
export async function drain(roster: Roster, budgetMs = 60_000): Promise<number> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const r = await roster.flush();
    if (r.left === 0) return 0;
    if (Date.now() > deadline) return r.left;
    const s = await roster.getState();
    const until = Math.max(s.retryAt ?? 0, s.pausedUntil ?? 0);
    const wait = Math.min(Math.max(until - Date.now(), 20), 1_100);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export function appApi(server: ServerProcess): APIClient {
  return new APIClient(server.credentials.appApiKey, { url: server.appUrl });
}

export interface ActivityOut {
  id: string;
  type: string;
  name?: string;
  timestamp: number;
  customer_id: string | null;
  data: Record<string, unknown>;
}

/** A person's activities, oldest first (the API lists newest first), every page. */
export async function activitiesOf(
  server: ServerProcess,
  id: string,
  query: Record<string, string> = {},
): Promise<ActivityOut[]> {
  const out: ActivityOut[] = [];
  let start = '';
  for (let page = 0; page < 100; page++) {
    const qs = new URLSearchParams({ ...query, limit: '100', ...(start ? { start } : {}) });
    const res = await fetch(`${server.appUrl}/customers/${encodeURIComponent(id)}/activities?${qs}`, {
      headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
    });
    if (res.status === 404) return [];
    if (res.status !== 200) throw new Error(`activities ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { activities: ActivityOut[]; next: string };
    out.push(...body.activities);
    if (!body.next) break;
    start = body.next;
  }
  return out.reverse();
}

export interface DeviceOut {
  id: string;
  platform: string;
  last_used: number;
  attributes: Record<string, string>;
}

/** A person's devices through the App API; `undefined` when the person does not exist. */
export async function devicesOf(server: ServerProcess, id: string): Promise<DeviceOut[] | undefined> {
  try {
    const { customer } = (await appApi(server).getAttributes(id)) as {
      customer: { devices: DeviceOut[] };
    };
    return customer.devices;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}
