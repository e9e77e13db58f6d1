import { FakeApns } from '../fakes/fake-apns.js';
import { FakeFcm } from '../fakes/fake-fcm.js';
import { makeApnsKey, type ApnsKey } from '../fakes/push-credentials.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';

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

export { waitFor };

/** 64 hex characters, as APNs device tokens are. */
export function apnsToken(seed: string): string {
  return Buffer.from(seed.padEnd(32, '.')).subarray(0, 32).toString('hex');
}

let markers = 0;

/**
 * Resolves once the server's delivery worker has dealt with every push that was due when it was
 * called, so a test can then check that something was NOT sent. Two marker pushes go out one after
 * the other (transactional message `template`, to a person of their own): the first is claimed with
 * or after anything already due; the second is queued only once the first reached the fake, so it
 * is claimed after it. Rows are claimed in due order, so everything due earlier was claimed before
 * marker 1 and, against these fakes that answer at once, was sent before marker 2 could be queued,
 * claimed and sent (the worker claims again as soon as a lane frees, not after a whole batch).
 */
export async function deliveryBarrier(server: ServerProcess, fakes: Fakes, template: string): Promise<void> {
  await trackCall(server, 'PUT', '/api/v1/customers/delivery-marker', {});
  for (let i = 0; i < 2; i++) {
    const token = `fcm-marker-${++markers}`;
    const res = await appCall(server, 'POST', '/v1/send/push', {
      identifiers: { id: 'delivery-marker' },
      transactional_message_id: template,
      custom_device: { token, platform: 'android' },
      to: token,
    });
    if (res.status !== 200) throw new Error(`marker push: ${res.status} ${JSON.stringify(res.body)}`);
    await waitFor(`marker push ${token}`, () => fakes.fcm.received.some((r) => r.token === token), 60_000);
  }
}
