import { CustomerIORequestError, IdentifierType, type TrackClient } from 'customerio-node';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  activitiesOf,
  devicesOf,
  eventsOf,
  openServerStore,
  personBy,
  startTrackServer,
  trackClient,
} from './helpers.js';

/** Every customerio-node TrackClient method against a real `roster serve`, on each engine. */
describe.each(engines())('customerio-node TrackClient on %s', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let cio: TrackClient;

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    store = await openServerStore(server);
    cio = trackClient(server);
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  it('identify creates a person with attributes; ids with / spaces @ and unicode round-trip', async () => {
    const id = 'user 1/x@y ✓';
    await expect(
      cio.identify(id, {
        email: 'A@Example.com',
        created_at: 1700000000,
        nested: { a: [1, { b: 2 }] },
        plan: 'pro',
      }),
    ).resolves.toEqual({});
    const p = await personBy(store, 'id', id);
    expect(p).toMatchObject({ id, email: 'A@Example.com' });
    expect(p!.cio_id).toMatch(/^[0-9a-f]{16}$/);
    expect(p!.attributes).toEqual({ created_at: 1700000000, nested: { a: [1, { b: 2 }] }, plan: 'pro' });
    const acts = await activitiesOf(store, p!.pid);
    expect(acts.map((a) => a.type)).toEqual(['profile_create', 'attribute_change']);
    expect(acts[0]!.source).toMatch(/^track_v1:Customer\.io Node Client/);
    expect(acts[1]!.data).toMatchObject({ plan: { from: null, to: 'pro' } });
  });

  it('identify with no body (data null) creates a person with only an id', async () => {
    await cio.identify('nobody-body', null as never);
    const p = await personBy(store, 'id', 'nobody-body');
    expect(p).toMatchObject({ id: 'nobody-body', email: null, attributes: {} });
  });

  it('merges attributes partially; null and "" remove; email matches case-insensitively', async () => {
    await cio.identify('merge-me@example.com', { a: 1, b: 2, c: 3 });
    await cio.identify('MERGE-ME@example.COM', { b: null, c: '', d: 'x' });
    const p = await personBy(store, 'email', 'merge-me@example.com');
    expect(p!.attributes).toEqual({ a: 1, d: 'x' });
  });

  it('_timestamp makes attribute updates last-write-wins', async () => {
    // Both in the past: a time more than a day ahead of the server's clock is refused (docs/security.md).
    await cio.identify('lww', { color: 'new', _timestamp: 1700000000 });
    await cio.identify('lww', { color: 'old', size: 1, _timestamp: 1600000000 });
    const p = await personBy(store, 'id', 'lww');
    expect(p!.attributes).toEqual({ color: 'new', size: 1 });
    expect(p!.attr_ts.color).toBe(1700000000);
  });

  it('unsubscribed accepts "TRUE", 1 and "1"; other values subscribe', async () => {
    await cio.identify('unsub', { unsubscribed: 'TRUE' });
    expect((await personBy(store, 'id', 'unsub'))!.unsubscribed).toBe(1);
    await cio.identify('unsub', { unsubscribed: 'no' });
    expect((await personBy(store, 'id', 'unsub'))!.unsubscribed).toBe(0);
    await cio.identify('unsub', { unsubscribed: 1 });
    expect((await personBy(store, 'id', 'unsub'))!.unsubscribed).toBe(1);
  });

  it('rejects an over-long attribute value with the Customer.io message', async () => {
    const err = await cio.identify('long', { big: 'x'.repeat(1001) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CustomerIORequestError);
    expect((err as CustomerIORequestError).statusCode).toBe(400);
    expect((err as Error).message).toContain("value for attribute 'big' cannot be longer than 1000 bytes");
    expect(await personBy(store, 'id', 'long')).toBeUndefined();
  });

  it('destroy deletes the person with devices and events; unknown people answer 200', async () => {
    await cio.identify('doomed', { a: 1 });
    await cio.addDevice('doomed', 'doomed-token', 'ios');
    await cio.track('doomed', { name: 'x' });
    const before = (await personBy(store, 'id', 'doomed'))!;
    await expect(cio.destroy('doomed')).resolves.toEqual({});
    expect(await personBy(store, 'id', 'doomed')).toBeUndefined();
    expect(await devicesOf(store, before.pid)).toEqual([]);
    expect(await eventsOf(store, before.pid)).toEqual([]);
    const acts = await activitiesOf(store, before.pid);
    expect(acts.every((a) => a.deleted === 1)).toBe(true);
    expect(acts.at(-1)).toMatchObject({ type: 'profile_delete', data: { reason: 'deleted' } });
    await expect(cio.destroy('never-existed')).resolves.toEqual({});
  });

  it('suppress deletes and blocks both identifiers; unsuppress frees them for a fresh person', async () => {
    await cio.identify('sup', { email: 'sup@example.com', a: 1 });
    await expect(cio.suppress('sup')).resolves.toEqual({});
    expect(await personBy(store, 'id', 'sup')).toBeUndefined();
    await cio.identify('sup', { a: 2 });
    await cio.identify('sup@example.com', { a: 3 });
    await cio.track('sup', { name: 'late' });
    expect(await personBy(store, 'id', 'sup')).toBeUndefined();
    expect(await personBy(store, 'email', 'sup@example.com')).toBeUndefined();
    await expect(cio.unsuppress('sup@example.com')).resolves.toEqual({});
    await cio.identify('sup', { b: 1 });
    const fresh = await personBy(store, 'id', 'sup');
    expect(fresh).toMatchObject({ id: 'sup', email: null, attributes: { b: 1 } });
  });

  it('track, trackPageView and event dedupe by ULID', async () => {
    const id = ulid();
    await expect(cio.track('eventer', { name: '  purchase ', data: { price: 5 }, id })).resolves.toEqual({});
    await cio.track('eventer', { name: 'purchase', data: { price: 6 }, id });
    await cio.trackPageView('eventer', '/pricing');
    await cio.track('eventer', { name: 'scr', type: 'screen', timestamp: 1700000000 });
    const p = (await personBy(store, 'id', 'eventer'))!;
    const events = await eventsOf(store, p.pid);
    expect(events.map((e) => [e.type, e.name])).toEqual([
      ['event', 'purchase'],
      ['page', '/pricing'],
      ['screen', 'scr'],
    ]);
    expect(events[0]!.data).toEqual({ price: 5 });
    expect(events[2]!.timestamp).toBe(1700000000);
    const acts = await activitiesOf(store, p.pid);
    expect(acts.filter((a) => ['event', 'page', 'screen'].includes(a.type))).toHaveLength(3);
  });

  it('trackAnonymous then identify with anonymous_id attaches the events', async () => {
    await cio.trackAnonymous('anon-1', { name: 'viewed', data: { item: 1 } });
    await cio.trackAnonymous('anon-1', { name: 'viewed', data: { item: 2 } });
    await cio.identify('known-1', { anonymous_id: 'anon-1' });
    const p = (await personBy(store, 'id', 'known-1'))!;
    expect(p.attributes).toEqual({});
    expect((await eventsOf(store, p.pid)).map((e) => e.data)).toEqual([{ item: 1 }, { item: 2 }]);
    const acts = await activitiesOf(store, p.pid);
    expect(acts.find((a) => a.type === 'anon_merge')?.data).toEqual({ anonymous_id: 'anon-1', events: 2 });
    expect(acts.filter((a) => a.type === 'event')).toHaveLength(2);
    // A late anonymous event for a merged anonymous id goes straight to the person.
    await cio.trackAnonymous('anon-1', { name: 'late' });
    expect(await eventsOf(store, p.pid)).toHaveLength(3);
  });

  it('addDevice/deleteDevice: platform lower-cased, attributes merged, a token moves between people', async () => {
    await cio.addDevice('dev-a', 'tok/1', 'iOS', { last_used: 0, primary: true, app_version: '1.0' });
    const a = (await personBy(store, 'id', 'dev-a'))!;
    let devs = await devicesOf(store, a.pid);
    expect(devs).toHaveLength(1);
    expect(devs[0]).toMatchObject({ token: 'tok/1', platform: 'ios', last_used: 0, last_status: '' });
    expect(devs[0]!.attributes).toEqual({ primary: true, app_version: '1.0' });
    await cio.addDevice('dev-a', 'tok/1', 'ios', { app_version: '1.1' });
    devs = await devicesOf(store, a.pid);
    expect(devs[0]!.attributes).toEqual({ primary: true, app_version: '1.1' });
    expect(devs[0]!.last_used).toBeGreaterThan(1_600_000_000);
    await cio.addDevice('dev-a', 'tok-2', 'android');
    expect(await devicesOf(store, a.pid)).toHaveLength(2);

    await cio.addDevice('dev-b', 'tok/1', 'ios');
    const b = (await personBy(store, 'id', 'dev-b'))!;
    expect((await devicesOf(store, a.pid)).map((d) => d.token)).toEqual(['tok-2']);
    expect((await devicesOf(store, b.pid)).map((d) => d.token)).toEqual(['tok/1']);
    const outA = (await activitiesOf(store, a.pid)).filter((x) => x.type === 'device_change').at(-1);
    const inB = (await activitiesOf(store, b.pid)).filter((x) => x.type === 'device_change').at(-1);
    expect(outA?.data).toMatchObject({ action: 'moved_out', token: 'tok/1', to: { id: 'dev-b' } });
    expect(inB?.data).toMatchObject({ action: 'moved_in', token: 'tok/1', from: { id: 'dev-a' } });

    // Deleting through the wrong person leaves the token alone.
    await cio.deleteDevice('dev-a', 'tok/1');
    expect(await devicesOf(store, b.pid)).toHaveLength(1);
    await expect(cio.deleteDevice('dev-b', 'tok/1')).resolves.toEqual({});
    expect(await devicesOf(store, b.pid)).toHaveLength(0);
    await expect(cio.deleteDevice('dev-b', 'unknown')).resolves.toEqual({});
  });

  it('mergeCustomers: primary wins, the rest moves, the secondary is deleted', async () => {
    await cio.identify('primary', { a: 'p', shared: 'p' });
    await cio.identify('secondary@example.com', { id: 'sec', b: 's', shared: 's' });
    await cio.addDevice('sec', 'merge-tok', 'android');
    await cio.track('sec', { name: 'sec-event' });
    await expect(
      cio.mergeCustomers(IdentifierType.Id, 'primary', IdentifierType.Email, 'secondary@example.com'),
    ).resolves.toEqual({});
    expect(await personBy(store, 'id', 'sec')).toBeUndefined();
    const p = (await personBy(store, 'id', 'primary'))!;
    expect(p.attributes).toEqual({ a: 'p', shared: 'p', b: 's' });
    expect(p.email).toBe('secondary@example.com');
    expect((await devicesOf(store, p.pid)).map((d) => d.token)).toEqual(['merge-tok']);
    expect((await eventsOf(store, p.pid)).map((e) => e.name)).toEqual(['sec-event']);
    const merge = (await activitiesOf(store, p.pid)).find((x) => x.type === 'profile_merge');
    expect(merge?.data).toMatchObject({
      secondary: {
        identifiers: { id: 'sec', email: 'secondary@example.com' },
        attributes: { b: 's', shared: 's' },
      },
      devices: 1,
      events: 1,
    });
    // Numbers are ids; a missing primary is a no-op.
    await expect(
      cio.mergeCustomers(IdentifierType.Id, 404404, IdentifierType.Id, 'primary'),
    ).resolves.toEqual({});
    expect(await personBy(store, 'id', 'primary')).toBeDefined();
  });

  it('batch and entity (v2), with 207 for a failing item', async () => {
    await expect(
      cio.batch([
        { type: 'person', action: 'identify', identifiers: { id: 'v2-a' }, attributes: { x: 1 } },
        {
          type: 'person',
          action: 'event',
          identifiers: { id: 'v2-a' },
          name: 'clicked',
          attributes: { k: 'v' },
        },
        {
          type: 'person',
          action: 'add_device',
          identifiers: { id: 'v2-a' },
          device: { token: 'v2tok', platform: 'ios' },
        },
      ]),
    ).resolves.toEqual({});
    const p = (await personBy(store, 'id', 'v2-a'))!;
    expect(p.attributes).toEqual({ x: 1 });
    expect((await eventsOf(store, p.pid)).map((e) => e.data)).toEqual([{ k: 'v' }]);
    expect(await devicesOf(store, p.pid)).toHaveLength(1);
    const partial = await cio.batch([
      { type: 'person', action: 'identify', identifiers: { id: 'v2-b' }, attributes: {} },
      { type: 'person', action: 'event', identifiers: { id: 'v2-b' } },
    ]);
    expect(partial).toEqual({
      errors: [{ batch_index: 1, reason: 'required', field: 'name', message: 'event name is required' }],
    });
    await expect(
      cio.entity({
        type: 'person',
        action: 'identify',
        identifiers: { email: 'ent@example.com' },
        attributes: { y: 2 },
      }),
    ).resolves.toEqual({});
    expect((await personBy(store, 'email', 'ent@example.com'))!.attributes).toEqual({ y: 2 });
  });

  it('getAccountRegion answers url, region and the workspace id', async () => {
    const r = await cio.getAccountRegion();
    expect(r).toMatchObject({ url: server.url, region: 'us' });
    expect(typeof r.environment_id).toBe('number');
  });

  it('addCustomersToSegment / removeCustomersFromSegment on a manual segment', async () => {
    const ws = await store.db
      .selectFrom('workspaces')
      .select('id')
      .where('site_id', '=', server.credentials.siteId)
      .executeTakeFirstOrThrow();
    const now = Math.floor(Date.now() / 1000);
    const mk = (type: string) =>
      store.db
        .insertInto('segments')
        .values({
          workspace_id: ws.id,
          name: `s-${type}`,
          description: '',
          type,
          conditions: null,
          tags: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const manual = await mk('manual');
    const dynamic = await mk('dynamic');
    await cio.identify('seg-1', { email: 'seg1@example.com' });
    await cio.identify(2, {});
    await expect(cio.addCustomersToSegment(manual.id, ['seg-1', 2, 'nobody'])).resolves.toEqual({});
    const members = async () =>
      (
        await store.db
          .selectFrom('segment_memberships')
          .select('person_pid')
          .where('segment_id', '=', manual.id)
          .execute()
      ).length;
    expect(await members()).toBe(2);
    await cio.removeCustomersFromSegment(manual.id, ['seg1@example.com'], IdentifierType.Email);
    expect(await members()).toBe(1);
    const missing = await cio.addCustomersToSegment(999999, ['seg-1']).catch((e: unknown) => e);
    expect((missing as CustomerIORequestError).statusCode).toBe(404);
    const dyn = await cio.addCustomersToSegment(dynamic.id, ['seg-1']).catch((e: unknown) => e);
    expect((dyn as CustomerIORequestError).statusCode).toBe(400);
  });

  it('submitForm identifies by email (204), trackPush and reportMetric store metrics', async () => {
    await expect(
      cio.submitForm('signup', { email: 'form@example.com', name: 'F', form_name: 'x' }),
    ).resolves.toEqual({});
    expect((await personBy(store, 'email', 'form@example.com'))!.attributes).toEqual({ name: 'F' });
    await cio.addDevice('pushed', 'push-tok', 'android');
    await expect(
      cio.trackPush({ delivery_id: 'dlv-1', event: 'opened', device_id: 'push-tok', timestamp: 1700000000 }),
    ).resolves.toEqual({});
    await expect(
      cio.reportMetric({ delivery_id: 'dlv-2', metric: 'clicked', href: 'https://x' } as never),
    ).resolves.toEqual({});
    const metrics = await store.db
      .selectFrom('delivery_metrics')
      .select(['delivery_id', 'metric'])
      .orderBy('seq')
      .execute();
    expect(metrics).toEqual(
      expect.arrayContaining([
        { delivery_id: 'dlv-1', metric: 'opened' },
        { delivery_id: 'dlv-2', metric: 'clicked' },
      ]),
    );
  });

  it('unsubscribe sets unsubscribed on the person behind a known delivery', async () => {
    await cio.addDevice('unsub-d', 'unsub-tok', 'ios');
    await cio.trackPush({ delivery_id: 'dlv unsub', event: 'delivered', device_id: 'unsub-tok' });
    await expect(cio.unsubscribe('dlv unsub')).resolves.toEqual({});
    const p = (await personBy(store, 'id', 'unsub-d'))!;
    expect(p.unsubscribed).toBe(1);
    expect(p.attributes.unsubscribed).toBe(true);
    await expect(cio.unsubscribe('never-seen', false)).resolves.toEqual({});
  });
});
