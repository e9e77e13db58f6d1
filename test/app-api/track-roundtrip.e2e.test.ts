import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient, TrackClient } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

type Page = { activities: Array<Record<string, unknown> & { type: string }>; next: string };

/** Writes through the Track API with customerio-node's TrackClient, reads back with APIClient. */
describe.each(engines())('Track writes read back through the App API (%s)', (engine) => {
  let server: ServerProcess;
  let track: TrackClient;
  let api: APIClient;

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'info' } });
    track = new TrackClient(server.credentials.siteId, server.credentials.apiKey, { url: server.trackUrl });
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it('identify, device, event, page and segment membership show up on every read route', async () => {
    await track.identify('rt1', { email: 'RT1@example.com', plan: 'pro', age: 30, vip: true });
    await track.identify('rt2', { email: 'rt2@example.com', plan: 'free' });
    await track.addDevice('rt1', 'fcm-rt1', 'android', { push_enabled: 'true' });
    await track.track('rt1', { name: 'purchase', data: { price: 9 } });
    await track.trackPageView('rt1', 'https://example.com/pricing');
    await track.identify('rt1', { plan: 'team' });

    const { customer } = (await api.getAttributes('rt1')) as {
      customer: { id: string; attributes: Record<string, string>; devices: Array<Record<string, unknown>> };
    };
    expect(customer.id).toBe('rt1');
    expect(customer.attributes).toMatchObject({
      id: 'rt1',
      email: 'RT1@example.com',
      plan: 'team',
      age: '30',
      vip: 'true',
    });
    expect(customer.devices).toEqual([
      expect.objectContaining({
        id: 'fcm-rt1',
        platform: 'android',
        attributes: expect.objectContaining({ _last_status: '', push_enabled: 'true' }),
      }),
    ]);
    expect(await api.getCustomersByEmail('rt1@EXAMPLE.com')).toMatchObject({ results: [{ id: 'rt1' }] });
    const batch = (await api.getCustomersAttributes(['rt2', 'rt1', 'nobody'])) as {
      customers: Array<{ id: string }>;
    };
    expect(batch.customers.map((c) => c.id)).toEqual(['rt2', 'rt1']);

    const pro = (await api.searchCustomers({
      attribute: { field: 'plan', operator: 'eq', value: 'team' },
    } as never)) as { ids: string[] };
    expect(pro.ids).toEqual(['rt1']);

    const acts = (await api.getCustomerActivities('rt1', { limit: 100 })) as Page;
    const types = acts.activities.map((a) => a.type);
    expect(types).toEqual(expect.arrayContaining(['event', 'page', 'attribute_change', 'device_change']));
    expect(acts.activities.find((a) => a.type === 'event')).toMatchObject({
      name: 'purchase',
      data: { price: 9 },
    });
    expect(acts.activities.find((a) => a.type === 'page')).toMatchObject({
      url: 'https://example.com/pricing',
    });
    const planChanges = (await api.getCustomerActivities('rt1', {
      type: 'attribute_change',
      name: 'plan',
      limit: 100,
    })) as Page;
    expect(planChanges.activities[0]!.data).toMatchObject({ plan: { from: 'pro', to: 'team' } });

    const { segment } = (await api.createSegment({ name: 'Round trip' })) as { segment: { id: number } };
    await track.addCustomersToSegment(segment.id, ['rt1', 'rt2']);
    expect(await api.getSegmentCustomerCount(segment.id)).toEqual({ count: 2, segment_id: segment.id });
    expect(((await api.getSegmentMembership(segment.id)) as { ids: string[] }).ids.sort()).toEqual([
      'rt1',
      'rt2',
    ]);
    expect(await api.getCustomerSegments('rt2')).toEqual({
      segments: [{ id: segment.id, name: 'Round trip', description: '' }],
    });
    const inSeg = (await api.searchCustomers({
      and: [
        { segment: { id: segment.id } },
        { not: { attribute: { field: 'plan', operator: 'eq', value: 'team' } } },
      ],
    } as never)) as { ids: string[] };
    expect(inSeg.ids).toEqual(['rt2']);
    await track.removeCustomersFromSegment(segment.id, ['rt2']);
    expect(await api.getSegmentCustomerCount(segment.id)).toEqual({ count: 1, segment_id: segment.id });

    await track.destroy('rt2');
    await expect(api.getAttributes('rt2')).rejects.toMatchObject({ statusCode: 404 });
  });
});
