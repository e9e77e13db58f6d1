/**
 * The React Native entry as an app runs it: the real react-native `Platform` and `AppState` (iOS),
 * the real AsyncStorage Jest mock, app background/foreground driven by the native AppState event.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asyncStorageMock, emitAppState } from './react-native-env.js';
import {
  createRoster,
  expoPush,
  expoPushPermission,
  fromExpo,
  type ExpoNotificationsModule,
  type ReactNativeRosterConfig,
} from '../../src/react-native/index.js';
import { FakeClock, FakeTransport, settle } from '../../src/testing/index.js';
import type { AddDeviceOp, BatchOp } from '../../src/core/wire.js';

vi.mock('react-native', async () => (await import('./react-native-env.js')).loadReactNative('ios'));

const storage = asyncStorageMock();
const clients: Array<ReturnType<typeof createRoster>> = [];

function app(transport: FakeTransport, clock: FakeClock, extra: Partial<ReactNativeRosterConfig> = {}) {
  const roster = createRoster({
    siteId: 'site',
    apiKey: 'key',
    trackingApiUrl: 'http://roster.test',
    storage,
    transport: transport.fetch,
    clock,
    timers: clock,
    logLevel: 'none',
    ...extra,
  });
  clients.push(roster);
  return roster;
}

const devices = (ops: BatchOp[]) => ops.filter((o): o is AddDeviceOp => o.action === 'add_device');

/** A permission the test can flip, read through the real adapter for expo-notifications. */
function expoPermissions(granted: { value: boolean }) {
  return expoPushPermission({ getPermissionsAsync: async () => ({ granted: granted.value }) });
}

beforeEach(async () => {
  await storage.clear();
  emitAppState('active');
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.shutdown({ timeoutMs: 0 });
});

describe('React Native: automatic device attributes', () => {
  it('reads platform and OS from the real Platform, locale and timezone from Intl, model and app version from the Expo adapter', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const roster = app(transport, clock, {
      deviceFacts: fromExpo(
        { modelName: 'iPhone 15', manufacturer: 'Apple' },
        { nativeApplicationVersion: '2.3.1' },
      ),
      pushPermission: expoPermissions({ value: true }),
    });
    await roster.registerDeviceToken('apns-1');
    await roster.identify('ada@example.com', { first_name: 'Ada' });
    await roster.flush();
    const intl = Intl.DateTimeFormat().resolvedOptions();
    const [device] = devices(transport.delivered);
    expect(device!.device).toMatchObject({ token: 'apns-1', platform: 'ios' });
    expect(device!.device.attributes).toEqual({
      cio_sdk_version: expect.any(String),
      platform: 'ios',
      device_os: '17.4',
      device_model: 'iPhone 15',
      device_manufacturer: 'Apple',
      app_version: '2.3.1',
      device_locale: intl.locale,
      timezone: intl.timeZone,
      push_enabled: true,
    });
    expect(transport.requests[0]!.headers['User-Agent']).toMatch(/^Roster SDK\/[\d.]+ \(ios\)$/);
  });

  it('re-sends push_enabled when the permission changed while in the background, and nothing when it did not', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const granted = { value: false };
    const roster = app(transport, clock, { pushPermission: expoPermissions(granted) });
    await roster.identify('u1');
    await roster.registerDeviceToken('apns-1');
    await roster.flush();
    expect(devices(transport.delivered).map((d) => d.device.attributes.push_enabled)).toEqual([false]);

    // The user opens Settings (the app goes to the background) and allows notifications.
    emitAppState('background');
    granted.value = true;
    emitAppState('active');
    await vi.waitFor(async () => expect((await roster.getState()).queueLength).toBe(0));
    await roster.flush();
    expect(devices(transport.delivered).map((d) => d.device.attributes.push_enabled)).toEqual([false, true]);

    // Background and back again with nothing changed: no device request.
    const before = transport.requests.length;
    emitAppState('background');
    emitAppState('active');
    await settle();
    await roster.flush();
    expect(devices(transport.delivered)).toHaveLength(2);
    expect(transport.requests.length).toBe(before);
  });

  it('an unchanged device costs no request at app start; a day later it is refreshed once', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const first = app(transport, clock, { pushPermission: expoPermissions({ value: true }) });
    await first.identify('u1');
    await first.registerDeviceToken('apns-1');
    await first.flush();
    await first.shutdown({ timeoutMs: 0 });
    expect(devices(transport.delivered)).toHaveLength(1);

    // The next launches the same day, each identifying the same person as apps do.
    for (let launch = 0; launch < 3; launch++) {
      const again = app(transport, clock, { pushPermission: expoPermissions({ value: true }) });
      await again.identify('u1');
      await again.flush();
      await again.shutdown({ timeoutMs: 0 });
    }
    expect(devices(transport.delivered)).toHaveLength(1);

    await clock.advance(24 * 3600 * 1000);
    const nextDay = app(transport, clock, { pushPermission: expoPermissions({ value: true }) });
    await nextDay.flush();
    const sent = devices(transport.delivered);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.device.last_used).toBe(Math.floor(clock.now() / 1000));
  });
});

describe('React Native: the queue through app life', () => {
  it('flushes when the app goes to the background', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const roster = app(transport, clock);
    await roster.identify('u1');
    await roster.track('viewed_item', { sku: 'A-1' });
    expect(transport.requests).toHaveLength(0); // below flushAt, before flushInterval
    emitAppState('background');
    await vi.waitFor(() => expect(transport.delivered.map((o) => o.action)).toEqual(['identify', 'event']));
  });

  it('airplane mode: nothing is lost while the transport fails, and everything goes out once when back', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    let offline = true;
    transport.fallback = () => {
      if (offline) throw new TypeError('Network request failed'); // what React Native's fetch throws offline
      return { status: 200, body: {} };
    };
    const roster = app(transport, clock);
    await roster.identify('u1');
    for (let i = 0; i < 25; i++) await roster.track('tap', { i });
    await clock.advance(60_000);
    expect(transport.delivered).toHaveLength(0);
    expect((await roster.getState()).queueLength).toBe(26);

    // Network back; the user brings the app to the foreground.
    offline = false;
    emitAppState('background');
    emitAppState('active');
    await vi.waitFor(async () => expect((await roster.getState()).queueLength).toBe(0));
    const events = transport.delivered.filter((o) => o.action === 'event');
    expect(
      events.map((o) => (o.type === 'person' && 'attributes' in o ? o.attributes.i : undefined)),
    ).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(new Set(events.map((o) => (o as { id: string }).id)).size).toBe(25);
  });

  it('killed between enqueue and flush: the next start sends each op exactly once', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const killed = app(transport, clock, { appState: null });
    await killed.identify('u1', { plan: 'pro' });
    await killed.track('checkout', { total: 42 });
    // The process dies here: no flush, no shutdown, timers never fire.
    clients.splice(clients.indexOf(killed), 1);
    expect(transport.requests).toHaveLength(0);

    const next = app(transport, clock);
    await vi.waitFor(async () => expect((await next.getState()).queueLength).toBe(0));
    await next.flush();
    expect(transport.delivered.map((o) => o.action)).toEqual(['identify', 'event']);
    expect(transport.ops).toHaveLength(2);
  });
});

/** A stand-in for expo-notifications' native side: the app-facing API shape, driven by the test. */
function fakeExpoNotifications(token: string) {
  const listeners = {
    token: [] as Array<(t: { type: string; data: unknown }) => void>,
    response: [] as Array<(r: never) => void>,
    received: [] as Array<(n: never) => void>,
  };
  const sub = <T>(list: T[], l: T) => {
    list.push(l);
    return { remove: () => void list.splice(list.indexOf(l), 1) };
  };
  let launchResponse: unknown = null;
  const module: ExpoNotificationsModule = {
    getDevicePushTokenAsync: async () => ({ type: 'ios', data: token }),
    addPushTokenListener: (l) => sub(listeners.token, l),
    addNotificationReceivedListener: (l) => sub(listeners.received, l),
    addNotificationResponseReceivedListener: (l) => sub(listeners.response, l),
    getLastNotificationResponseAsync: async () => launchResponse,
  };
  const notification = (data: Record<string, unknown>) => ({
    date: 0,
    request: { identifier: 'n1', content: { title: 'Hi', body: 'There', data }, trigger: { type: 'push' } },
  });
  return {
    module,
    rotate: (t: string) => listeners.token.forEach((l) => l({ type: 'ios', data: t })),
    open: (data: Record<string, unknown>) =>
      listeners.response.forEach((l) =>
        l({ notification: notification(data), actionIdentifier: 'default' } as never),
      ),
    receive: (data: Record<string, unknown>) =>
      listeners.received.forEach((l) => l(notification(data) as never)),
    launchedFrom: (data: Record<string, unknown>) =>
      (launchResponse = { notification: notification(data), actionIdentifier: 'default' }),
  };
}

describe('React Native: push helpers', () => {
  it('registers the token in one call, and on rotation deletes the old token then adds the new one', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const roster = app(transport, clock);
    const expo = fakeExpoNotifications('apns-old');
    const { registerPush } = await import('../../src/react-native/push.js');
    await roster.identify('u1');
    registerPush(roster, expoPush(expo.module));
    await vi.waitFor(async () => expect((await roster.getState()).token).toBe('apns-old'));
    expo.rotate('apns-new');
    await vi.waitFor(async () => expect((await roster.getState()).token).toBe('apns-new'));
    await roster.flush();
    const deviceOps = transport.delivered.filter((o) => o.action !== 'identify');
    expect(deviceOps.map((o) => `${o.action}:${(o as AddDeviceOp).device.token}`)).toEqual([
      'add_device:apns-old',
      'delete_device:apns-old',
      'add_device:apns-new',
    ]);
  });

  it('tracks opened (once, also for the push that launched the app) and delivered from Roster payloads, and hands the deep link to the app', async () => {
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const roster = app(transport, clock);
    const expo = fakeExpoNotifications('apns-1');
    const { registerPush } = await import('../../src/react-native/push.js');
    const links: string[] = [];
    expo.launchedFrom({
      'CIO-Delivery-ID': 'dlv-launch',
      'CIO-Delivery-Token': 'apns-1',
      link: 'myapp://orders/7',
    });
    const stop = registerPush(roster, expoPush(expo.module), { onDeepLink: (url) => links.push(url) });
    await vi.waitFor(() => expect(links).toEqual(['myapp://orders/7']));
    // iOS puts the link under CIO.push; FCM data carries CIO as JSON text.
    expo.open({ 'CIO-Delivery-ID': 'dlv-2', CIO: { push: { link: 'myapp://cart' } } });
    expo.open({ 'CIO-Delivery-ID': 'dlv-2', CIO: { push: { link: 'myapp://cart' } } });
    expo.receive({ 'CIO-Delivery-ID': 'dlv-3', 'CIO-Delivery-Token': 'apns-1' });
    expo.open({ from: 'another service' }); // not Roster's: ignored
    await vi.waitFor(() => expect(links).toEqual(['myapp://orders/7', 'myapp://cart']));
    await vi.waitFor(async () => expect((await roster.getState()).queueLength).toBeGreaterThanOrEqual(3));
    stop();
    await roster.flush();
    const metrics = transport.delivered.filter((o) => o.type === 'delivery');
    const rows = metrics.map((m) => [m.identifiers.id, m.name, m.attributes.device_token]);
    expect(rows.sort((a, b) => a[0]!.localeCompare(b[0]!))).toEqual([
      ['dlv-2', 'opened', 'apns-1'],
      ['dlv-3', 'delivered', 'apns-1'],
      ['dlv-launch', 'opened', 'apns-1'],
    ]);
  });
});
