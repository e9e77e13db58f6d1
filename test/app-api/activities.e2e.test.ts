import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from './helpers/seed.js';

type Page = { activities: Array<Record<string, unknown> & { id: string; type: string }>; next: string };

describe.each(engines())('activities (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;
  let api: APIClient;
  let u1: { pid: number; cio_id: string };

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'info' } });
    seed = await seeder(server);
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    u1 = await seed.person({ id: 'u1', email: 'a@example.com' });
    const other = await seed.person({ id: 'u2' });
    const ids = { id: 'u1', email: 'a@example.com', cio_id: u1.cio_id };
    const base = { personPid: u1.pid, identifiers: ids, source: 'track_v1' };
    // Recorded oldest first; the API answers newest first.
    await seed.activities([
      { ...base, type: 'profile_create', data: { identifiers: ids }, timestamp: 1700000000 },
      {
        ...base,
        type: 'attribute_change',
        name: 'plan',
        data: { plan: { from: null, to: 'pro' } },
        timestamp: 1700000001,
      },
      {
        ...base,
        type: 'attribute_change',
        data: { plan: { from: 'pro', to: 'team' }, age: { from: 29, to: 30 } },
        timestamp: 1700000002,
      },
      { ...base, type: 'event', name: 'purchase', data: { price: 1 }, timestamp: 1700000003 },
      { ...base, type: 'page', name: 'https://example.com/a', data: { title: 'A' }, timestamp: 1700000004 },
      { ...base, type: 'screen', name: 'Home', data: {}, timestamp: 1700000005 },
      {
        ...base,
        type: 'device_change',
        name: 'fcm-1',
        data: { action: 'added', token: 'fcm-1', platform: 'android' },
        timestamp: 1700000006,
      },
      {
        ...base,
        type: 'sent_push',
        data: { delivery_id: 'ZAIAAVTJVG0QcCok0-0ZKj6yiQ==', delivered: null, opened: null },
        deliveryId: 'ZAIAAVTJVG0QcCok0-0ZKj6yiQ==',
        deliveryType: 'android',
        timestamp: 1700000007,
      },
      {
        ...base,
        type: 'entered_segment',
        name: 'VIP',
        data: { segment_id: 1, segment_name: 'VIP' },
        timestamp: 1700000008,
      },
      {
        personPid: other.pid,
        identifiers: { id: 'u2', email: null, cio_id: other.cio_id },
        source: 'track_v1',
        type: 'event',
        name: 'purchase',
        data: {},
        timestamp: 1700000009,
      },
    ]);
    await seed.activities([
      {
        personPid: null,
        identifiers: { id: 'gone', email: 'gone@example.com', cio_id: 'deadbeefdeadbeef' },
        source: 'track_v1',
        type: 'profile_delete',
        data: { reason: 'deleted' },
        timestamp: 1700000010,
      },
    ]);
    await seed.store.db
      .updateTable('activities')
      .set({ deleted: 1 })
      .where('type', '=', 'profile_delete')
      .execute();
  });

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  it('lists a person’s activities newest first in the App API shapes', async () => {
    const page = (await api.getCustomerActivities('u1', { limit: 100 })) as Page;
    expect(page.next).toBe('');
    expect(page.activities.map((a) => a.type)).toEqual([
      'entered_segment',
      'sent_push',
      'device_change',
      'screen',
      'page',
      'event',
      'attribute_change',
      'attribute_change',
      'profile_create',
    ]);
    const ids = { id: 'u1', email: 'a@example.com', cio_id: u1.cio_id };
    const [, push, , screen, pageView, event, multi, single] = page.activities;
    expect(push).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      type: 'sent_push',
      timestamp: 1700000007,
      customer_id: 'u1',
      customer_identifiers: ids,
      delivery_id: 'ZAIAAVTJVG0QcCok0-0ZKj6yiQ==',
      delivery_type: 'android',
      data: { delivery_id: 'ZAIAAVTJVG0QcCok0-0ZKj6yiQ==', delivered: null, opened: null },
    });
    expect(event).toEqual({
      id: expect.any(String),
      type: 'event',
      timestamp: 1700000003,
      customer_id: 'u1',
      customer_identifiers: ids,
      name: 'purchase',
      data: { price: 1 },
    });
    expect(pageView).toMatchObject({ type: 'page', url: 'https://example.com/a', data: { title: 'A' } });
    expect(screen).toMatchObject({ type: 'screen', name: 'Home' });
    expect(single).toEqual({
      id: expect.any(String),
      type: 'attribute_change',
      timestamp: 1700000001,
      customer_id: 'u1',
      customer_identifiers: ids,
      data: { plan: { from: '', to: 'pro' } },
    });
    expect(multi!.data).toEqual({ plan: { from: 'pro', to: 'team' }, age: { from: '29', to: '30' } });
  });

  it('filters by type and by name (event names and changed attribute names)', async () => {
    const events = (await api.getCustomerActivities('u1', { type: 'event' })) as Page;
    expect(events.activities.map((a) => a.name)).toEqual(['purchase']);
    const plan = (await api.getCustomerActivities('u1', { type: 'attribute_change', name: 'plan' })) as Page;
    expect(plan.activities).toHaveLength(2);
    const age = (await api.getCustomerActivities('u1', { name: 'age' })) as Page;
    expect(age.activities.map((a) => a.timestamp)).toEqual([1700000002]);
    const byEmail = (await api.getCustomerActivities('A@example.com', {
      idType: 'email' as never,
      name: 'purchase',
    })) as Page;
    expect(byEmail.activities).toHaveLength(1);
  });

  it('paginates with an opaque cursor (default 10, max 100)', async () => {
    const seen: string[] = [];
    let start: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = (await api.getCustomerActivities('u1', { start, limit: 4 })) as Page;
      seen.push(...page.activities.map((a) => a.id));
      if (!page.next) break;
      start = page.next;
    }
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('404s an unknown person', async () => {
    await expect(api.getCustomerActivities('ghost')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lists the workspace’s activities, one person’s, and deleted people’s', async () => {
    const all = (await api.listActivities({ limit: 100 })) as Page;
    expect(all.activities).toHaveLength(10);
    expect(all.activities[0]).toMatchObject({ type: 'event', customer_id: 'u2' });
    const purchases = (await api.listActivities({ type: 'event', name: 'purchase' })) as Page;
    expect(purchases.activities.map((a) => a.customer_id)).toEqual(['u2', 'u1']);
    const mine = (await api.listActivities({ customerId: 'u1', limit: 3 } as never)) as Page;
    expect(mine.activities).toHaveLength(3);
    expect(mine.next).not.toBe('');
    const byCio = (await api.listActivities({
      customerId: `cio_${u1.cio_id}`,
      idType: 'cio_id',
      type: 'screen',
    } as never)) as Page;
    expect(byCio.activities).toHaveLength(1);
    const nobody = (await api.listActivities({ customerId: 'ghost' } as never)) as Page;
    expect(nobody).toEqual({ activities: [], next: '' });
    const deleted = (await api.listActivities({ deleted: true } as never)) as Page;
    expect(deleted.activities.map((a) => a.type)).toEqual(['profile_delete']);
    const deletedOne = (await api.listActivities({
      deleted: true,
      customerId: 'gone@example.com',
      idType: 'email',
    } as never)) as Page;
    expect(deletedOne.activities).toHaveLength(1);
  });

  it('400s a bad limit or cursor', async () => {
    const get = (q: string) =>
      fetch(`${server.appUrl}/activities${q}`, {
        headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
      });
    expect((await get('?limit=-1')).status).toBe(400);
    expect((await get('?start=garbage')).status).toBe(400);
    expect((await get('?deleted=maybe')).status).toBe(400);
    const clamped = (await (await get('?limit=1000')).json()) as Page;
    expect(clamped.activities).toHaveLength(10);
  });
});
