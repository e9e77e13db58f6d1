import { setTimeout as sleep } from 'node:timers/promises';
import { FakeApns } from '../fakes/fake-apns.js';
import { FakeFcm } from '../fakes/fake-fcm.js';
import { makeApnsKey, type ApnsKey } from '../fakes/push-credentials.js';
import type { ServerProcess } from '../helpers/server-process.js';

export const TOPIC = 'io.roster.test';

export interface Fakes {
  apns: FakeApns;
  fcm: FakeFcm;
  apnsKey: ApnsKey;
  stop(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const apnsKey = makeApnsKey();
  const apns = await new FakeApns(apnsKey, TOPIC).start();
  const fcm = await new FakeFcm().start();
  return { apns, fcm, apnsKey, stop: async () => void (await Promise.all([apns.stop(), fcm.stop()])) };
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** An App API call with the server's Bearer key (or `key`). */
export async function appCall<T = Record<string, unknown>>(
  server: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
  key = server.credentials.appApiKey,
): Promise<Answer<T>> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** A Track API call with the server's Basic credentials. */
export async function trackCall(
  server: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  const auth = Buffer.from(`${server.credentials.siteId}:${server.credentials.apiKey}`).toString('base64');
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Points the workspace's APNs and FCM credentials at the fakes, through the settings routes. */
export async function configureProviders(server: ServerProcess, fakes: Fakes): Promise<void> {
  const key = fakes.apnsKey;
  const apns = await appCall(server, 'PUT', '/v1/workspace/push-providers/apns', {
    key_p8: key.privateKeyPem,
    key_id: key.keyId,
    team_id: key.teamId,
    topic: TOPIC,
    host: fakes.apns.origin,
    ca: fakes.apns.ca,
  });
  if (apns.status !== 200) throw new Error(`apns config: ${apns.status} ${JSON.stringify(apns.body)}`);
  const fcm = await appCall(server, 'PUT', '/v1/workspace/push-providers/fcm', {
    service_account: fakes.fcm.account.json,
    endpoint: fakes.fcm.origin,
  });
  if (fcm.status !== 200) throw new Error(`fcm config: ${fcm.status} ${JSON.stringify(fcm.body)}`);
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** 64 hex characters, as APNs device tokens are. */
export function apnsToken(seed: string): string {
  return Buffer.from(seed.padEnd(32, '.')).subarray(0, 32).toString('hex');
}
