import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { applyDeliveryMetric } from '../../src/messaging/delivery/delivery-metrics.js';
import { DeliveryWorker } from '../../src/messaging/delivery/delivery-worker.js';
import { claimDue } from '../../src/store/messaging/outbox.js';
import { ProviderRegistry } from '../../src/messaging/providers/provider-registry.js';
import { savePushProvider } from '../../src/store/messaging/push-providers.js';
import { queuePush } from '../../src/messaging/push-queue.js';
import { loadRecipient, selectPushDevices } from '../../src/store/messaging/recipients.js';
import { TemplateRenderer } from '../../src/messaging/templates/template-render.js';
import { parseJson, type Store, type Tx } from '../../src/store/store.js';
import { FakeApns } from '../../../../test/fakes/fake-apns.js';
import { FakeFcm } from '../../../../test/fakes/fake-fcm.js';
import { makeApnsKey } from '../../../../test/fakes/push-credentials.js';
import { engines } from '../../../../test/helpers/postgres.js';
import { addDevice, addPerson, openFixture, StepClock, type Fixture } from './messaging-fixture.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');

describe.each(engines())('push outbox on %s', (engine) => {
  let fx: Fixture;
  let store: Store;
  let ws: number;
  let fcm: FakeFcm;
  let apns: FakeApns;
  let registry: ProviderRegistry;
  let clock: StepClock;
  const renderer = new TemplateRenderer();
  const changed: Array<[number, number]> = [];
  const deps = () => ({
    store,
    clock,
    renderer,
    onDeviceChanged: async (_trx: Tx, w: number, pid: number) => void changed.push([w, pid]),
  });
  const worker = (s: Store = store, extra: Partial<ConstructorParameters<typeof DeliveryWorker>[0]> = {}) =>
    new DeliveryWorker({ ...deps(), store: s, providers: registry, random: () => 0.5, ...extra });

  const send = async (
    pid: number,
    to = 'all',
    template = { title: 'Hi {{customer.first_name}}', message: 'm' },
  ) =>
    store.transaction(async (trx) => {
      const recipient = (await loadRecipient(trx, ws, pid))!;
      const devices = await selectPushDevices(trx, ws, pid, to);
      return queuePush(deps(), trx, { workspaceId: ws, recipient, devices, template, trigger: { x: 1 } });
    });
  const message = async (deliveryId: string) => {
    const row = await store.db
      .selectFrom('messages')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirstOrThrow();
    return { ...row, metrics: parseJson<Record<string, number>>(row.metrics) };
  };
  const device = (token: string) =>
    store.db
      .selectFrom('devices')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('token', '=', token)
      .executeTakeFirst();
  const activities = (deliveryId: string) =>
    store.db
      .selectFrom('activities')
      .select(['type', 'delivery_type', 'data'])
      .where('delivery_id', '=', deliveryId)
      .orderBy('id')
      .execute();
  const outboxRow = async (deliveryId: string) =>
    store.db.selectFrom('outbox').selectAll().where('delivery_id', '=', deliveryId).executeTakeFirstOrThrow();

  beforeAll(async () => {
    fx = await openFixture(engine);
    store = fx.store;
    ws = fx.workspaceId;
    fcm = await new FakeFcm().start();
    const key = makeApnsKey();
    apns = await new FakeApns(key, 'com.example.app').start();
    await store.transaction(async (trx) => {
      await savePushProvider(
        trx,
        ws,
        { kind: 'fcm', config: { serviceAccount: fcm.account.json, endpoint: fcm.origin } },
        '',
        1,
      );
      await savePushProvider(
        trx,
        ws,
        {
          kind: 'apns',
          config: {
            teamId: key.teamId,
            keyId: key.keyId,
            privateKey: key.privateKeyPem,
            topic: 'com.example.app',
            origin: apns.origin,
            ca: apns.ca,
          },
        },
        '',
        1,
      );
    });
    // Providers sign with real time (the fakes check it); the worker runs on a clock tests move.
    registry = new ProviderRegistry(store, systemClock);
  });
  afterAll(async () => {
    await registry?.close();
    await fcm?.stop();
    await apns?.stop();
    await fx?.close();
  });
  beforeEach(() => {
    clock = new StepClock();
    changed.length = 0;
  });

  it('queues, sends through FCM and APNs, and records metrics, device status and activities', async () => {
    const pid = await addPerson(store, ws, 'ada', { first_name: 'Ada' });
    await addDevice(store, ws, pid, 'android-1', 'android', 200);
    await addDevice(store, ws, pid, hex(1), 'iOS', 100);
    const queued = await send(pid);
    expect(queued.deliveryIds).toHaveLength(2);
    const stats = await worker().runOnce();
    expect(stats).toMatchObject({ claimed: 2, sent: 2 });
    const [first, second] = queued.deliveryIds as [string, string];
    expect(fcm.received.find((r) => r.token === 'android-1')!.message).toMatchObject({
      notification: { title: 'Hi Ada', body: 'm' },
      data: { 'CIO-Delivery-ID': first, 'CIO-Delivery-Token': 'android-1' },
    });
    expect(apns.received.find((r) => r.token === hex(1))!.payload).toMatchObject({
      aps: { alert: { title: 'Hi Ada', body: 'm' } },
      'CIO-Delivery-ID': second,
    });
    const m = await message(first);
    expect(m).toMatchObject({ recipient: 'android-1', delivery_type: 'android', title: 'Hi Ada', body: 'm' });
    expect(Object.keys(m.metrics)).toEqual(['sent']);
    expect((await device('android-1'))!.last_status).toBe('sent');
    expect((await device(hex(1)))!.last_status).toBe('sent');
    expect(await activities(second)).toEqual([
      expect.objectContaining({ type: 'sent_push', delivery_type: 'ios' }),
    ]);
    expect((await outboxRow(first)).status).toBe('sent');
    expect(changed).toEqual([
      [ws, pid],
      [ws, pid],
    ]);
    // A second run finds nothing: each message went once.
    expect((await worker().runOnce()).claimed).toBe(0);
  });

  it('bounces, suppresses after two bounces in a row, then skips the device', async () => {
    const pid = await addPerson(store, ws, 'bob');
    await addDevice(store, ws, pid, 'flaky', 'android');
    fcm.script('flaky', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT');
    const a = await send(pid);
    await worker().runOnce();
    expect(await device('flaky')).toMatchObject({ last_status: 'bounced', bounce_count: 1 });
    expect(await message(a.deliveryId)).toMatchObject({ failure_message: 'INVALID_ARGUMENT' });
    expect((await activities(a.deliveryId)).map((x) => x.type)).toEqual(['bounced_push']);
    await send(pid);
    await worker().runOnce();
    expect(await device('flaky')).toMatchObject({ last_status: 'suppressed', bounce_count: 2 });
    const before = fcm.received.length;
    const c = await send(pid);
    expect(c.skipped).toEqual([{ token: 'flaky', reason: 'suppressed' }]);
    expect((await message(c.deliveryId)).metrics.undeliverable).toBeDefined();
    expect((await activities(c.deliveryId)).map((x) => x.type)).toEqual(['undeliverable_push']);
    expect((await worker().runOnce()).claimed).toBe(0);
    expect(fcm.received.length).toBe(before);
  });

  it('a success resets the bounce count; a device suppressed after queueing is skipped at send', async () => {
    const pid = await addPerson(store, ws, 'cy');
    await addDevice(store, ws, pid, 'once', 'android');
    fcm.script('once', 'INVALID_ARGUMENT');
    await send(pid);
    await worker().runOnce();
    await send(pid);
    await worker().runOnce();
    expect(await device('once')).toMatchObject({ last_status: 'sent', bounce_count: 0 });
    const q = await send(pid);
    await store.db
      .updateTable('devices')
      .set({ last_status: 'suppressed' })
      .where('token', '=', 'once')
      .execute();
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, skipped: 1 });
    expect((await outboxRow(q.deliveryId)).status).toBe('skipped');
    expect((await message(q.deliveryId)).metrics.undeliverable).toBeDefined();
  });

  it('deletes an unregistered token from the person', async () => {
    const pid = await addPerson(store, ws, 'dee');
    await addDevice(store, ws, pid, 'gone', 'android');
    await addDevice(store, ws, pid, hex(2), 'ios');
    fcm.script('gone', 'UNREGISTERED');
    apns.script(hex(2), { status: 410, reason: 'Unregistered' });
    const q = await send(pid);
    expect(await worker().runOnce()).toMatchObject({ bounced: 2 });
    expect(await device('gone')).toBeUndefined();
    expect(await device(hex(2))).toBeUndefined();
    const reasons = await Promise.all(q.deliveryIds.map(async (id) => (await message(id)).failure_message));
    expect(reasons.sort()).toEqual(['UNREGISTERED', 'Unregistered']);
    const history = await store.db
      .selectFrom('activities')
      .select(['type', 'name'])
      .where('person_pid', '=', pid)
      .where('type', '=', 'device_change')
      .execute();
    expect(history.map((h) => h.name).sort()).toEqual(['gone', hex(2)].sort());
    expect(changed.length).toBe(2);
  });

  it('retries 500 and 429 with backoff (honouring Retry-After), then sends', async () => {
    const pid = await addPerson(store, ws, 'eve');
    await addDevice(store, ws, pid, 'busy', 'android');
    fcm.script('busy', 'INTERNAL', { error: 'QUOTA_EXCEEDED', retryAfter: '120' });
    const q = await send(pid);
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ claimed: 1, retried: 1 });
    let row = await outboxRow(q.deliveryId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'INTERNAL', claimed_by: null });
    // First retry: base 2 s with jitter 0.5 → 1.5 s.
    expect(row.run_at_ms - clock.ms).toBe(1500);
    expect((await w.runOnce()).claimed).toBe(0);
    clock.advance(1500);
    expect(await w.runOnce()).toMatchObject({ retried: 1 });
    row = await outboxRow(q.deliveryId);
    expect(row.run_at_ms - clock.ms).toBe(120_000);
    clock.advance(120_000);
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(await outboxRow(q.deliveryId)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(fcm.received.filter((r) => r.token === 'busy').map((r) => r.status)).toEqual([500, 429, 200]);
    expect((await activities(q.deliveryId)).map((a) => a.type)).toEqual(['sent_push']);
  });

  it('fails a message after its attempts run out, leaving the device alone', async () => {
    const pid = await addPerson(store, ws, 'fay');
    await addDevice(store, ws, pid, 'down', 'android');
    fcm.script('down', 'UNAVAILABLE', 'UNAVAILABLE');
    const q = await send(pid);
    const w = worker(store, { maxAttempts: 2 });
    await w.runOnce();
    clock.advance(60_000);
    expect(await w.runOnce()).toMatchObject({ failed: 1 });
    expect(await outboxRow(q.deliveryId)).toMatchObject({ status: 'failed' });
    expect((await message(q.deliveryId)).metrics.failed).toBeDefined();
    expect((await activities(q.deliveryId)).map((a) => a.type)).toEqual(['failed_push']);
    expect(await device('down')).toMatchObject({ last_status: '', bounce_count: 0 });
  });

  // PostgreSQL: two `Store`s (two pools), as two server processes would be. SQLite: two workers on
  // one store — two SQLite handles in one process would block each other's event loop in
  // busy_timeout, which says nothing about two processes.
  it('two workers claiming concurrently send each message exactly once', async () => {
    const pid = await addPerson(store, ws, 'gus');
    const tokens = Array.from({ length: 60 }, (_, i) => `many-${i}`);
    for (const t of tokens) await addDevice(store, ws, pid, t, 'android');
    const q = await send(pid);
    expect(q.deliveryIds).toHaveLength(60);
    const other = engine === 'postgres' ? await fx.openAnother() : store;
    const registry2 = new ProviderRegistry(other, systemClock);
    const w1 = worker(store, { batchSize: 7 });
    const w2 = new DeliveryWorker({ ...deps(), store: other, providers: registry2, batchSize: 7 });
    // In rounds: both workers claim at the same moment each round, so neither can drain the outbox
    // before the other has started, however the machine schedules them.
    let a = 0;
    let b = 0;
    for (;;) {
      const [s1, s2] = await Promise.all([w1.runOnce(), w2.runOnce()]);
      a += s1.sent;
      b += s2.sent;
      if (s1.claimed === 0 && s2.claimed === 0) break;
    }
    await registry2.close();
    expect(a + b).toBe(60);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    const got = fcm.received.filter((r) => r.token.startsWith('many-')).map((r) => r.token);
    expect(got.sort()).toEqual([...tokens].sort());
    const sentActivities = await store.db
      .selectFrom('activities')
      .select('delivery_id')
      .where('person_pid', '=', pid)
      .where('type', '=', 'sent_push')
      .execute();
    expect(sentActivities).toHaveLength(60);
  });

  it('a claim whose worker died is picked up after its lease; the dead claim cannot record', async () => {
    const pid = await addPerson(store, ws, 'hal');
    await addDevice(store, ws, pid, 'orphan', 'android');
    const q = await send(pid);
    // The "killed" worker: claims with a short lease and never finishes.
    const [dead] = await claimDue(store, { claim: 'dead:1', nowMs: clock.now(), leaseMs: 5_000, limit: 10 });
    expect(dead?.deliveryId).toBe(q.deliveryId);
    expect((await worker().runOnce()).claimed).toBe(0);
    clock.advance(5_001);
    expect(await worker().runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await outboxRow(q.deliveryId)).toMatchObject({ status: 'sent', attempts: 2 });
    const { finishJob } = await import('../../src/store/messaging/outbox.js');
    expect(await store.transaction((trx) => finishJob(trx, dead!, 'failed', 'late'))).toBe(false);
    expect(fcm.received.filter((r) => r.token === 'orphan')).toHaveLength(1);
  });

  it('rate-limits per workspace and provider without spending attempts', async () => {
    const pid = await addPerson(store, ws, 'ivy');
    for (let i = 0; i < 5; i++) await addDevice(store, ws, pid, `rl-${i}`, 'android');
    const q = await send(pid);
    // 0.5/s: the 2 s wait for a third token is too long to sleep through, so rows go back.
    const w = worker(store, { rateLimit: { perSecond: 0.5, burst: 2 } });
    expect(await w.runOnce()).toMatchObject({ claimed: 5, sent: 2, retried: 3 });
    const rows = await Promise.all(q.deliveryIds.map(outboxRow));
    expect(rows.filter((r) => r.status === 'pending').every((r) => r.attempts === 0)).toBe(true);
    clock.advance(4_000);
    expect(await w.runOnce()).toMatchObject({ claimed: 3, sent: 2 });
    clock.advance(4_000);
    expect(await w.runOnce()).toMatchObject({ sent: 1 });
    expect(fcm.received.filter((r) => r.token.startsWith('rl-'))).toHaveLength(5);
  });

  it('applies delivered/opened/converted metrics once, with activities', async () => {
    const pid = await addPerson(store, ws, 'jo');
    await addDevice(store, ws, pid, 'metrics', 'android');
    const q = await send(pid);
    await worker().runOnce();
    const apply = (metric: 'delivered' | 'opened' | 'converted', workspaceId: number | null = null) =>
      store.transaction((trx) =>
        applyDeliveryMetric(deps(), trx, {
          deliveryId: q.deliveryId,
          metric,
          timestamp: 1234,
          workspaceId,
          source: 'track_v1',
        }),
      );
    expect(await apply('delivered')).toBe('applied');
    expect(await apply('delivered', ws)).toBe('duplicate');
    expect(await apply('opened', ws)).toBe('applied');
    expect(await apply('converted')).toBe('applied');
    expect(await apply('opened', ws + 999)).toBe('unknown_delivery');
    const m = await message(q.deliveryId);
    expect(m.metrics).toMatchObject({ delivered: 1234, opened: 1234, converted: 1234 });
    expect((await activities(q.deliveryId)).map((a) => a.type)).toEqual([
      'sent_push',
      'delivered_push',
      'opened_push',
      'converted_push',
    ]);
    expect(
      await store.transaction((trx) =>
        applyDeliveryMetric(deps(), trx, {
          deliveryId: 'nope',
          metric: 'opened',
          workspaceId: null,
          source: 'sdk',
        }),
      ),
    ).toBe('unknown_delivery');
  });

  it('records an undeliverable message for a person without devices, and a failed one for a strict template', async () => {
    const pid = await addPerson(store, ws, 'kim');
    const q = await send(pid);
    expect((await message(q.deliveryId)).failure_message).toBe('the person has no devices');
    await addDevice(store, ws, pid, 'strict', 'android');
    const s = await send(pid, 'all', { title: '{{customer.missing}}', message: 'm', strict: true } as never);
    expect((await message(s.deliveryId)).metrics.failed).toBeDefined();
    expect((await activities(s.deliveryId)).map((a) => a.type)).toEqual(['failed_push']);
    await expect(send(pid, 'all', { title: '{% if %}', message: 'm' })).rejects.toMatchObject({
      name: 'TemplateSyntaxError',
      line: 1,
    });
  });
});
