import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startPipelinesServer, type IngestErrorView, type PipelinesServer } from './helpers.js';

/** Customer.io's semantic events and the Pipelines rules of docs/pipelines.md "What maps to what", read back. */
describe.each(engines())('Pipelines semantics (%s)', (engine) => {
  let s: PipelinesServer;
  const send = async (batch: unknown[], extra: Record<string, unknown> = {}) => {
    const res = await s.post('/v1/b', { batch, writeKey: s.writeKey, ...extra });
    expect(res.status).toBe(200);
  };
  const device = (userId: string, token: string, type: string, properties: Record<string, unknown>) => ({
    type: 'track',
    userId,
    event: 'Device Created or Updated',
    properties,
    context: { device: { token, type } },
  });

  beforeAll(async () => {
    s = await startPipelinesServer(engine);
  });
  afterAll(async () => {
    await s?.server.cleanup();
  });

  it('devices from iOS ("true") and Android (true) both enter one push_enabled segment; delete and moves work', async () => {
    const seg = await fetch(`${s.url}/v1/segments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${s.server.credentials.appApiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        segment: {
          name: 'Push on',
          description: '',
          conditions: { device: { attribute: { field: 'push_enabled', operator: 'eq', value: 'true' } } },
        },
      }),
    });
    const { segment } = (await seg.json()) as { segment: { id: number } };
    await send([
      { type: 'identify', userId: 'ios-user', traits: {} },
      device('ios-user', 'ios-tok', 'ios', { push_enabled: 'true', device_os: '17.4', app_version: '1.0' }),
      { type: 'identify', userId: 'android-user', traits: {} },
      device('android-user', 'android-tok', 'android', { push_enabled: true, device_os: 34 }),
      { type: 'identify', userId: 'off-user', traits: {} },
      device('off-user', 'off-tok', 'android', { push_enabled: false }),
    ]);
    const members = await s.app<{ identifiers: Array<{ id: string }> }>(
      `/v1/segments/${segment.id}/membership`,
    );
    expect(members.json.identifiers.map((i) => i.id).sort()).toEqual(['android-user', 'ios-user']);
    const ios = await s.person('ios-user');
    expect(ios?.devices[0]).toMatchObject({ id: 'ios-tok', platform: 'ios' });
    expect(ios?.devices[0]?.attributes).toMatchObject({ push_enabled: 'true', device_os: '17.4' });
    // Token refresh / logout: Device Deleted; a token registered by someone else moves to them.
    await send([
      {
        type: 'track',
        userId: 'ios-user',
        event: 'Device Deleted',
        context: { device: { token: 'ios-tok' } },
      },
      device('off-user', 'android-tok', 'android', { push_enabled: true }),
    ]);
    expect((await s.person('ios-user'))?.devices).toEqual([]);
    expect((await s.person('android-user'))?.devices).toEqual([]);
    expect((await s.person('off-user'))?.devices.map((d) => d.id).sort()).toEqual(['android-tok', 'off-tok']);
    const after = await s.app<{ identifiers: Array<{ id: string }> }>(
      `/v1/segments/${segment.id}/membership`,
    );
    expect(after.json.identifiers.map((i) => i.id)).toEqual(['off-user']);
  });

  it('User Deleted, User Suppressed (late retries stay out) and User Unsuppressed', async () => {
    await send([
      { type: 'identify', userId: 'gone', traits: { a: 1 } },
      { type: 'identify', userId: 'blocked', traits: { a: 1 } },
    ]);
    await send([
      { type: 'track', userId: 'gone', event: 'User Deleted', properties: {} },
      { type: 'track', userId: 'blocked', event: 'User Suppressed', properties: {} },
    ]);
    expect(await s.person('gone')).toBeUndefined();
    await send([{ type: 'identify', userId: 'blocked', traits: { back: true } }]);
    expect(await s.person('blocked')).toBeUndefined();
    await send([{ type: 'track', userId: 'blocked', event: 'User Unsuppressed', properties: {} }]);
    await send([{ type: 'identify', userId: 'blocked', traits: { back: true } }]);
    expect((await s.person('blocked'))?.attributes.back).toBe('true');
  });

  it('Report Delivery Event is a metric keyed by deliveryId, never a person; anonymous devices are noted', async () => {
    await send([
      { type: 'identify', userId: 'metric-user', traits: {} },
      device('metric-user', 'metric-tok', 'ios', {}),
      {
        type: 'track',
        anonymousId: 'delivery-123',
        event: 'Report Delivery Event',
        properties: { deliveryId: 'delivery-123', metric: 'opened', recipient: 'metric-tok' },
        messageId: 'rde-1',
      },
      {
        type: 'track',
        anonymousId: 'anon-phone',
        event: 'Device Created or Updated',
        context: { device: { token: 'anon-tok', type: 'ios' } },
        messageId: 'anon-dev-1',
      },
    ]);
    const acts = await s.activities('metric-user');
    expect(acts.some((a) => a.type === 'opened_push')).toBe(true);
    const errors = await s.app<{ errors: IngestErrorView[] }>('/v1/pipelines/errors?limit=50');
    expect(errors.json.errors.find((e) => e.message_id === 'anon-dev-1')?.reason).toBe('anonymous_device');
    expect(errors.json.errors.find((e) => e.message_id === 'rde-1')).toBeUndefined();
  });

  it('timestamps: backfills keep their time, a fast device clock is corrected from sentAt, last write wins', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    await send(
      [
        // A device clock two hours fast: corrected to about now.
        {
          type: 'track',
          userId: 'clock',
          event: 'Fast Clock',
          properties: {},
          timestamp: iso(now + 7_200_000),
        },
        // A backfill from 2024 keeps its time.
        { type: 'track', userId: 'clock', event: 'Old', properties: {}, timestamp: '2024-01-02T03:04:05Z' },
        { type: 'identify', userId: 'clock', traits: { plan: 'new' }, timestamp: iso(now - 1000) },
        { type: 'identify', userId: 'clock', traits: { plan: 'older' }, timestamp: iso(now - 60_000) },
      ],
      { sentAt: iso(now + 7_200_000) },
    );
    const acts = await s.activities('clock');
    const fast = acts.find((a) => a.name === 'Fast Clock');
    expect(Math.abs((fast?.timestamp ?? 0) - now / 1000)).toBeLessThan(600);
    const old = acts.find((a) => a.name === 'Old');
    expect(old?.timestamp).toBe(Date.parse('2024-01-02T03:04:05Z') / 1000);
    expect((await s.person('clock'))?.attributes.plan).toBe('new');
  });
});
