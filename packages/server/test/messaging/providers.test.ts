import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApnsProvider, apnsIdFor } from '../../src/messaging/providers/apns-provider.js';
import { FcmProvider } from '../../src/messaging/providers/fcm-provider.js';
import type { PushRequest } from '../../src/messaging/providers/provider-types.js';
import { FakeApns } from '../../../../test/fakes/fake-apns.js';
import { FakeFcm } from '../../../../test/fakes/fake-fcm.js';
import { makeApnsKey } from '../../../../test/fakes/push-credentials.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const req = (token: string, platform = 'ios', extra: Partial<PushRequest> = {}): PushRequest => ({
  deliveryId: 'D1',
  token,
  platform,
  content: { title: 'T', body: 'B', imageUrl: 'https://i/x.png', link: 'app://x', customData: { k: 'v' } },
  ...extra,
});

describe('APNs provider against the fake APNs', () => {
  const key = makeApnsKey();
  let fake: FakeApns;
  let now = Date.now();
  const clock = { now: () => now };
  let apns: ApnsProvider;

  beforeAll(async () => {
    fake = await new FakeApns(key, 'com.example.app').start();
    apns = new ApnsProvider(
      {
        teamId: key.teamId,
        keyId: key.keyId,
        privateKey: key.privateKeyPem,
        topic: 'com.example.app',
        origin: fake.origin,
        ca: fake.ca,
      },
      clock,
    );
  });
  afterAll(async () => {
    await apns.close();
    await fake.stop();
  });

  it('sends with a verified ES256 token and the headers and payload the SDK reads', async () => {
    expect(await apns.send(req(hex(1)))).toEqual({ kind: 'sent', providerId: apnsIdFor('D1') });
    const got = fake.received.at(-1)!;
    expect(got.jwt.header).toEqual({ alg: 'ES256', kid: key.keyId });
    expect(got.jwt.claims).toEqual({ iss: key.teamId, iat: Math.floor(now / 1000) });
    expect(got.headers['apns-topic']).toBe('com.example.app');
    expect(got.headers['apns-push-type']).toBe('alert');
    expect(got.headers['apns-priority']).toBe('10');
    expect(got.headers['apns-id']).toBe(apnsIdFor('D1'));
    expect(got.headers['apns-collapse-id']).toBe('D1');
    expect(got.payload).toEqual({
      k: 'v',
      aps: { alert: { title: 'T', body: 'B' }, 'mutable-content': 1, sound: 'default' },
      CIO: { push: { link: 'app://x', image: 'https://i/x.png' } },
      'CIO-Delivery-ID': 'D1',
      'CIO-Delivery-Token': hex(1),
    });
  });

  it('reuses its token, then signs a new one before the hour is up', async () => {
    await apns.send(req(hex(2)));
    const first = fake.received.at(-1)!.jwt.claims.iat;
    now += 30 * 60_000;
    await apns.send(req(hex(2)));
    expect(fake.received.at(-1)!.jwt.claims.iat).toBe(first);
    now += 25 * 60_000;
    fake.now = () => Math.floor(now / 1000);
    await apns.send(req(hex(2)));
    expect(fake.received.at(-1)!.jwt.claims.iat).toBe(Math.floor(now / 1000));
    expect(fake.received.at(-1)!.status).toBe(200);
  });

  it('maps Apple error answers', async () => {
    fake.script(hex(3), { status: 410, reason: 'Unregistered' });
    fake.script(hex(4), { status: 400, reason: 'DeviceTokenNotForTopic' });
    fake.script(hex(5), { status: 429, reason: 'TooManyRequests', retryAfter: '7' });
    fake.script(hex(6), { status: 500, reason: 'InternalServerError' });
    expect(await apns.send(req(hex(3)))).toEqual({ kind: 'unregistered', reason: 'Unregistered' });
    expect(await apns.send(req('not-hex'))).toEqual({ kind: 'unregistered', reason: 'BadDeviceToken' });
    expect(await apns.send(req(hex(4)))).toEqual({ kind: 'bounced', reason: 'DeviceTokenNotForTopic' });
    expect(await apns.send(req(hex(5)))).toEqual({
      kind: 'retry',
      reason: 'TooManyRequests',
      retryAfterMs: 7000,
    });
    expect(await apns.send(req(hex(6)))).toEqual({ kind: 'retry', reason: 'InternalServerError' });
    const big = req(hex(7), 'ios', { content: { title: 'x'.repeat(5000), body: '', customData: {} } });
    expect(await apns.send(big)).toEqual({ kind: 'failed', reason: 'PayloadTooLarge' });
  });

  it('is refused by APNs with the wrong key, and passes custom_payload through', async () => {
    const other = makeApnsKey();
    const wrong = new ApnsProvider(
      {
        teamId: key.teamId,
        keyId: key.keyId,
        privateKey: other.privateKeyPem,
        topic: 'com.example.app',
        origin: fake.origin,
        ca: fake.ca,
      },
      clock,
    );
    expect(await wrong.send(req(hex(8)))).toEqual({ kind: 'failed', reason: 'InvalidProviderToken' });
    await wrong.close();
    await apns.send(
      req(hex(9), 'ios', {
        customPayload: { ios: { aps: { alert: 'raw', badge: 3 }, CIO: { push: { link: 'l' } } } },
      }),
    );
    expect(fake.received.at(-1)!.payload).toEqual({
      aps: { alert: 'raw', badge: 3 },
      CIO: { push: { link: 'l' } },
      'CIO-Delivery-ID': 'D1',
      'CIO-Delivery-Token': hex(9),
    });
  });

  it('answers retry when the server cannot be reached', async () => {
    const down = new ApnsProvider(
      {
        teamId: key.teamId,
        keyId: key.keyId,
        privateKey: key.privateKeyPem,
        topic: 't',
        origin: 'https://127.0.0.1:1',
        ca: fake.ca,
      },
      clock,
    );
    expect((await down.send(req(hex(1)))).kind).toBe('retry');
    await down.close();
  });
});

describe('FCM provider against the fake FCM', () => {
  let fake: FakeFcm;
  let fcm: FcmProvider;
  const clock = { now: () => Date.now() };

  beforeAll(async () => {
    fake = await new FakeFcm().start();
    fcm = new FcmProvider({ serviceAccount: fake.account.json, endpoint: fake.origin }, clock);
  });
  afterAll(() => fake.stop());

  it('gets an access token with a verified RS256 grant once, and sends the message shape', async () => {
    const out = await fcm.send(req('tok-a', 'android'));
    expect(out.kind).toBe('sent');
    await fcm.send(req('tok-b', 'android'));
    expect(fake.grants).toHaveLength(1);
    expect(fake.grants[0]!.header).toMatchObject({ alg: 'RS256', kid: fake.account.json.private_key_id });
    expect(fake.grants[0]!.claims).toMatchObject({
      iss: fake.account.json.client_email,
      aud: `${fake.origin}/token`,
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
    });
    expect(fake.received[0]!.message).toEqual({
      token: 'tok-a',
      notification: { title: 'T', body: 'B', image: 'https://i/x.png' },
      data: {
        k: 'v',
        link: 'app://x',
        image: 'https://i/x.png',
        'CIO-Delivery-ID': 'D1',
        'CIO-Delivery-Token': 'tok-a',
      },
      // A resend of the same delivery replaces the first on the device.
      android: { priority: 'high', collapse_key: 'D1' },
    });
  });

  it('sends iOS devices an apns block with the CIO keys', async () => {
    await fcm.send(req('tok-ios', 'ios'));
    const m = fake.received.at(-1)!.message as {
      apns: { headers: Record<string, string>; payload: Record<string, unknown> };
    };
    expect(m.apns.payload).toMatchObject({ CIO: { push: { link: 'app://x' } }, 'CIO-Delivery-ID': 'D1' });
    expect(m.apns.headers['apns-collapse-id']).toBe('D1');
  });

  it('stringifies custom_payload data for Android and keeps the delivery keys', async () => {
    await fcm.send(
      req('tok-c', 'android', {
        customPayload: { android: { message: { notification: { title: 'raw' }, data: { n: 1, b: true } } } },
      }),
    );
    expect(fake.received.at(-1)!.message).toEqual({
      token: 'tok-c',
      notification: { title: 'raw' },
      data: { n: '1', b: 'true', 'CIO-Delivery-ID': 'D1', 'CIO-Delivery-Token': 'tok-c' },
    });
  });

  it('maps FCM error bodies', async () => {
    fake.script('dead', 'UNREGISTERED');
    fake.script('bad', 'INVALID_ARGUMENT');
    fake.script('busy', { error: 'QUOTA_EXCEEDED', retryAfter: '30' });
    fake.script('down', 'UNAVAILABLE');
    fake.script('oops', 'INTERNAL');
    fake.script('big', 'TOO_BIG');
    expect(await fcm.send(req('dead', 'android'))).toEqual({ kind: 'unregistered', reason: 'UNREGISTERED' });
    expect(await fcm.send(req('bad', 'android'))).toEqual({ kind: 'bounced', reason: 'INVALID_ARGUMENT' });
    expect(await fcm.send(req('busy', 'android'))).toEqual({
      kind: 'retry',
      reason: 'QUOTA_EXCEEDED',
      retryAfterMs: 30000,
    });
    expect(await fcm.send(req('down', 'android'))).toMatchObject({ kind: 'retry', reason: 'UNAVAILABLE' });
    expect(await fcm.send(req('oops', 'android'))).toMatchObject({ kind: 'retry', reason: 'INTERNAL' });
    // Too big is the message's fault: it fails, and the device is not bounced.
    expect(await fcm.send(req('big', 'android'))).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/: the message is too big$/),
    });
  });

  it('renews a revoked access token after a 401', async () => {
    fake.revokeAccessTokens();
    expect(await fcm.send(req('tok-d', 'android'))).toMatchObject({
      kind: 'retry',
      reason: 'UNAUTHENTICATED',
    });
    expect((await fcm.send(req('tok-d', 'android'))).kind).toBe('sent');
    expect(fake.grants.length).toBe(2);
  });

  it('fails (not retries) when the service account key is wrong', async () => {
    const wrongKey = (await import('../../../../test/fakes/push-credentials.js')).makeServiceAccount(
      `${fake.origin}/token`,
    );
    const bad = new FcmProvider({ serviceAccount: wrongKey.json, endpoint: fake.origin }, clock);
    expect(await bad.send(req('x', 'android'))).toMatchObject({ kind: 'failed' });
  });
});
