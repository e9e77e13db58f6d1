import { describe, expect, it } from 'vitest';
import { createTestRoster } from '../src/testing/index.js';

/** `action(identifier)` strings: the wire order at a glance. */
const trace = (ops: Array<{ action: string; identifiers: object }>) =>
  ops.map((o) => `${o.action}(${Object.values(o.identifiers).join()})`);

describe('the documented identify flow', () => {
  it('identify then setProfileAttributes sends two identify ops with exactly those keys', async () => {
    const { roster, transport } = createTestRoster();
    await roster.identify('  u1 ', { first_name: 'Ada' });
    await roster.setProfileAttributes({ plan: 'pro' });
    await roster.flush();
    expect(transport.delivered).toEqual([
      {
        type: 'person',
        identifiers: { id: 'u1' },
        action: 'identify',
        attributes: { first_name: 'Ada' },
        timestamp: 1735689600,
      },
      {
        type: 'person',
        identifiers: { id: 'u1' },
        action: 'identify',
        attributes: { plan: 'pro' },
        timestamp: 1735689600,
      },
    ]);
  });

  it('uses {email} for email-shaped identifiers', async () => {
    const { roster, transport } = createTestRoster();
    await roster.identify('ada@example.com');
    await roster.flush();
    expect(transport.delivered[0]?.identifiers).toEqual({ email: 'ada@example.com' });
  });

  it('registers the token with automatic ⊕ custom (nested) device attributes, kept for later registrations', async () => {
    const { roster, transport, clock } = createTestRoster();
    await roster.identify('u1');
    await roster.registerDeviceToken('tok-1');
    await roster.setDeviceAttributes({ prefs: { theme: 'dark', tags: ['a'] }, device_model: 'Custom' });
    await roster.flush();
    const device = transport.delivered.filter((o) => o.action === 'add_device').at(-1);
    expect(device).toMatchObject({
      identifiers: { id: 'u1' },
      device: {
        token: 'tok-1',
        platform: 'test',
        last_used: 1735689600,
        attributes: {
          platform: 'test',
          device_os: '1.0',
          device_model: 'Custom',
          app_version: '9.9',
          cio_sdk_version: '0.1.0',
          device_locale: 'en-US',
          timezone: 'UTC',
          push_enabled: true,
          prefs: { theme: 'dark', tags: ['a'] },
        },
      },
    });
    // Superseded registrations were compacted: one add_device on the wire.
    expect(transport.ops.filter((o) => o.action === 'add_device')).toHaveLength(1);
    // The same person again within a day, nothing changed: no device request.
    await roster.identify('u1', { x: 1 });
    await roster.flush();
    expect(transport.delivered.at(-1)).toMatchObject({ action: 'identify' });
    // A day later the registration is refreshed (last_used) and re-sends the custom keys.
    await clock.advance(24 * 3600 * 1000);
    await roster.identify('u1', { x: 2 });
    await roster.flush();
    const again = transport.delivered.at(-1);
    expect(again).toMatchObject({
      action: 'add_device',
      device: { attributes: { prefs: { theme: 'dark', tags: ['a'] } } },
    });
  });

  it('switching people sends delete_device(old) → identify(new) → add_device(new), each acknowledged before the next', async () => {
    const { roster, transport } = createTestRoster();
    await roster.registerDeviceToken('tok');
    await roster.identify('u1');
    await roster.flush();
    const before = transport.requests.length;
    await roster.identify('u2', { first_name: 'Bob' });
    await roster.flush();
    const switchRequests = transport.requests.slice(before).map((r) => trace(r.ops as never));
    expect(switchRequests).toEqual([['delete_device(u1)'], ['identify(u2)'], ['add_device(u2)']]);
    expect(transport.delivered.at(-3)).toMatchObject({ device: { token: 'tok' } });
  });

  it('keeps the switch order across a failure and a restart', async () => {
    const first = createTestRoster();
    await first.roster.registerDeviceToken('tok');
    await first.roster.identify('u1');
    await first.roster.flush();
    first.transport.fallback = { error: new Error('offline') };
    await first.roster.identify('u2');
    await first.roster.flush();
    await first.roster.shutdown({ timeoutMs: 10 });
    const second = createTestRoster({}, { storage: first.storage, clock: first.clock });
    second.transport.reply({ status: 503 });
    await second.roster.flush();
    await second.roster.flush();
    expect(trace(second.transport.delivered as never)).toEqual([
      'delete_device(u1)',
      'identify(u2)',
      'add_device(u2)',
    ]);
  });

  it('a new token replaces the old one on the person', async () => {
    const { roster, transport } = createTestRoster();
    await roster.identify('u1');
    await roster.registerDeviceToken('old');
    await roster.registerDeviceToken('new');
    await roster.flush();
    const devices = transport.delivered.filter((o) => o.action !== 'identify');
    expect(devices.map((o) => [o.action, 'device' in o ? o.device.token : ''])).toEqual([
      ['add_device', 'old'],
      ['delete_device', 'old'],
      ['add_device', 'new'],
    ]);
  });

  it('clearIdentify detaches the device, forgets the person, keeps the token and rotates the anonymous id', async () => {
    const { roster, transport } = createTestRoster();
    await roster.registerDeviceToken('tok');
    await roster.identify('u1');
    const { anonymousId } = await roster.getState();
    await roster.clearIdentify();
    await roster.flush();
    expect(trace(transport.delivered as never)).toEqual([
      'identify(u1)',
      'add_device(u1)',
      'delete_device(u1)',
    ]);
    const state = await roster.getState();
    expect(state).toMatchObject({ identifier: null, token: 'tok', queueLength: 0 });
    expect(state.anonymousId).not.toBe(anonymousId);
    expect(state.anonymousId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('refuses a blank identifier with an error event and sends nothing', async () => {
    const { roster, transport, events } = createTestRoster();
    await roster.identify('   ', { a: 1 });
    await roster.flush();
    expect(transport.requests).toHaveLength(0);
    expect(events.filter((e) => e.name === 'error')).toEqual([
      { name: 'error', payload: { code: 'blank_identifier', message: 'identify: identifier is blank' } },
    ]);
    expect((await roster.getState()).identifier).toBeNull();
  });

  it('events before identify carry the anonymous id, and the next identify carries anonymous_id', async () => {
    const { roster, transport } = createTestRoster();
    await roster.track('viewed', { sku: 'a' });
    await roster.screen('Home');
    const { anonymousId } = await roster.getState();
    await roster.setProfileAttributes({ plan: 'trial' });
    await roster.identify('u1', { first_name: 'Ada' });
    await roster.track('bought');
    await roster.flush();
    const [viewed, home, identify, bought] = transport.delivered;
    expect(viewed).toMatchObject({
      identifiers: { anonymous_id: anonymousId },
      action: 'event',
      name: 'viewed',
      attributes: { sku: 'a' },
    });
    expect(home).toMatchObject({
      identifiers: { anonymous_id: anonymousId },
      action: 'screen',
      name: 'Home',
      attributes: {},
    });
    expect(identify).toMatchObject({
      action: 'identify',
      attributes: { plan: 'trial', first_name: 'Ada', anonymous_id: anonymousId },
    });
    expect(bought).toMatchObject({ identifiers: { id: 'u1' }, action: 'event', name: 'bought' });
    expect((viewed as { id: string }).id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // anonymous_id is sent once: it "must be unique and is not reusable".
    await roster.identify('u1', { b: 2 });
    await roster.flush();
    expect(transport.delivered.at(-1)).toMatchObject({ attributes: { b: 2 } });
    expect(transport.delivered.at(-1)).not.toHaveProperty('attributes.anonymous_id');
  });

  it('sends push metrics as v2 delivery ops and every request with auth and client headers', async () => {
    const { roster, transport } = createTestRoster();
    await roster.trackMetric({ deliveryId: 'dlv1', event: 'opened', deviceToken: 'tok' });
    await roster.flush();
    expect(transport.delivered).toEqual([
      {
        type: 'delivery',
        action: 'event',
        identifiers: { id: 'dlv1' },
        name: 'opened',
        timestamp: 1735689600,
        attributes: { device_token: 'tok' },
      },
    ]);
    const req = transport.requests[0]!;
    expect(req.url).toBe('http://roster.test/api/v2/batch');
    expect(req.headers).toMatchObject({
      Authorization: `Basic ${btoa('site:key')}`,
      'Content-Type': 'application/json',
      'User-Agent': 'Roster SDK/0.1.0 (test)',
      'X-Roster-Client': 'Roster SDK/0.1.0 (test)',
    });
  });
});
