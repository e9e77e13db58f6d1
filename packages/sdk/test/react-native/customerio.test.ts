/**
 * The classic `CustomerIO` names on the real react-native modules (Android this time): an app moving
 * from customerio-reactnative changes its import and its host.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { asyncStorageMock, emitAppState } from './react-native-env.js';
import {
  CustomerIO,
  CustomerIOEnv,
  CustomerioConfig,
  CioLogLevel,
  Region,
  Roster,
} from '../../src/react-native/index.js';
import { FakeTransport } from '../../src/testing/index.js';
import type { AddDeviceOp } from '../../src/core/wire.js';

vi.mock('react-native', async () => (await import('./react-native-env.js')).loadReactNative('android'));

const transport = new FakeTransport();
vi.stubGlobal('fetch', transport.fetch);
afterAll(async () => {
  await Roster.shutdown({ timeoutMs: 0 });
  vi.unstubAllGlobals();
});

describe('CustomerIO (classic React Native SDK names)', () => {
  it('takes the classic initialize and call shapes, with the host as trackingApiUrl', async () => {
    await asyncStorageMock().clear();
    // Classic code, unchanged but for the import and trackingApiUrl. It ignores the promises the
    // calls return, as apps written for the classic SDK do: they never reject (core/client.ts).
    /* eslint-disable @typescript-eslint/no-floating-promises */
    const env = new CustomerIOEnv();
    env.siteId = 'site';
    env.apiKey = 'key';
    env.region = Region.US;
    const config = new CustomerioConfig();
    config.logLevel = CioLogLevel.none;
    config.trackingApiUrl = 'http://roster.test';
    config.storage = asyncStorageMock();
    CustomerIO.track('before_init'); // kept and replayed, like every call before initialize
    CustomerIO.initialize(env, config);
    CustomerIO.identify('person@example.com', { first_name: 'person' });
    CustomerIO.setProfileAttributes({ plan: 'pro' });
    CustomerIO.registerDeviceToken('fcm-1');
    CustomerIO.registerDeviceToken(null); // ignored, as in the classic SDK
    CustomerIO.setDeviceAttributes({ theme: 'dark' });
    CustomerIO.track('purchase', { total: 42 });
    CustomerIO.screen('Home');
    await CustomerIO.pushMessaging().trackNotificationResponseReceived({
      data: { 'CIO-Delivery-ID': 'dlv-1', 'CIO-Delivery-Token': 'fcm-1' },
    });
    expect(await CustomerIO.pushMessaging().getRegisteredDeviceToken()).toBe('fcm-1');
    CustomerIO.clearIdentify();
    /* eslint-enable @typescript-eslint/no-floating-promises */
    emitAppState('background'); // flushes everything
    await vi.waitFor(async () => expect((await Roster.getState()).queueLength).toBe(0));

    expect(transport.requests[0]!.url).toBe('http://roster.test/api/v2/batch');
    expect(transport.requests[0]!.headers.Authorization).toBe(`Basic ${btoa('site:key')}`);
    const ops = transport.delivered.map((o) => `${o.action}${'name' in o ? `:${o.name}` : ''}`);
    expect(ops).toEqual([
      'event:before_init',
      'identify',
      'identify',
      'add_device', // the registration and the attribute update, compacted into the latest
      'event:purchase',
      'screen:Home',
      'event:opened',
      'delete_device',
    ]);
    const device = transport.delivered.filter((o): o is AddDeviceOp => o.action === 'add_device').at(-1)!;
    // Android facts from the real Platform module (the native constants stand in for a Pixel 8).
    expect(device.device).toMatchObject({ token: 'fcm-1', platform: 'android' });
    expect(device.device.attributes).toMatchObject({
      platform: 'android',
      device_os: '14',
      android_api_level: 34,
      device_model: 'Pixel 8',
      device_manufacturer: 'Google',
      theme: 'dark',
    });
  });

  it('also takes the Data Pipelines SDK identify shape', async () => {
    await CustomerIO.identify({ userId: 'u2', traits: { first_name: 'Bo' } });
    await Roster.flush();
    expect(
      transport.delivered.find(
        (o) => o.action === 'identify' && 'id' in o.identifiers && o.identifiers.id === 'u2',
      ),
    ).toMatchObject({
      action: 'identify',
      identifiers: { id: 'u2' },
      attributes: { first_name: 'Bo' },
    });
  });
});
