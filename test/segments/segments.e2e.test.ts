import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackClient, APIClient, RegionUS, IdentifierType } from 'customerio-node';
import { sql } from 'kysely';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from '../app-api/helpers/seed.js';

type Json = Record<string, unknown>;

/**
 * Dynamic segments end to end, through a real `roster serve`: definitions over the App API,
 * membership changed by every Track API write path before its response, entered/exited
 * activities, explain, count, history and search with the whole language.
 */
describe.each(engines())('dynamic segments (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;
  let cio: TrackClient;
  let api: APIClient;

  async function app(
    path: string,
    init: { method?: string; body?: unknown } = {},
  ): Promise<{ status: number; json: Json }> {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${server.credentials.appApiKey}`,
        'content-type': 'application/json',
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
  }

  async function createSegment(name: string, conditions: unknown): Promise<number> {
    const r = await app('/v1/segments', { method: 'POST', body: { segment: { name, conditions } } });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect((r.json.segment as Json).type).toBe('dynamic');
    return (r.json.segment as { id: number }).id;
  }

  async function members(segmentId: number): Promise<string[]> {
    const r = await app(`/v1/segments/${segmentId}/membership?limit=1000`);
    return (r.json.ids as string[]).sort();
  }

  /** entered/exited activities for a segment, oldest first, as "type:id". */
  async function transitions(segmentId: number): Promise<string[]> {
    const rows = await seed.store.db
      .selectFrom('activities')
      .select(['type', 'customer_identifiers', 'data', 'name'])
      .where('type', 'in', ['entered_segment', 'exited_segment'])
      .orderBy('id')
      .execute();
    return rows
      .map((r) => ({
        type: r.type,
        data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as {
          segment_id: number;
          segment_name: string;
        },
        ids: (typeof r.customer_identifiers === 'string'
          ? JSON.parse(r.customer_identifiers)
          : r.customer_identifiers) as { id: string },
      }))
      .filter((r) => Number(r.data.segment_id) === segmentId)
      .map((r) => `${r.type === 'entered_segment' ? '+' : '-'}${r.ids.id}`);
  }

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'warn' } });
    seed = await seeder(server);
    cio = new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
      region: RegionUS,
      url: server.trackUrl,
    });
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
  });
  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  it('backfills on create, then follows identify in the same write, with entered/exited activities', async () => {
    await cio.identify('pre1', { plan: 'pro', address: { city: 'Oslo' } });
    await cio.identify('pre2', { plan: 'free' });
    const seg = await createSegment('Pro in Oslo', {
      and: [
        { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
        { attribute: { field: 'address.city', operator: 'eq', value: 'Oslo' } },
      ],
    });
    expect(await members(seg)).toEqual(['pre1']);
    expect(await api.getSegmentCustomerCount(seg)).toMatchObject({ count: 1 });

    await cio.identify('pre2', { plan: 'pro', address: { city: 'Oslo' } });
    expect(await members(seg)).toEqual(['pre1', 'pre2']); // read right after the 200: no delay
    await cio.identify('pre1', { plan: 'team' });
    expect(await members(seg)).toEqual(['pre2']);
    expect(await transitions(seg)).toEqual(['+pre1', '+pre2', '-pre1']);
    const acts = await seed.store.db
      .selectFrom('activities')
      .select(['name', 'data'])
      .where('type', '=', 'exited_segment')
      .execute();
    const act = acts.find((a) => {
      const data = (typeof a.data === 'string' ? JSON.parse(a.data) : a.data) as { segment_id: number };
      return Number(data.segment_id) === seg;
    });
    expect(act?.name).toBe('Pro in Oslo');
  });

  it('deleting a segment records an exit for each of its members', async () => {
    await cio.identify('del1', { doom: 'yes' });
    await cio.identify('del2', { doom: 'yes' });
    const seg = await createSegment('Doomed', {
      attribute: { field: 'doom', operator: 'eq', value: 'yes' },
    });
    expect(await members(seg)).toEqual(['del1', 'del2']);
    const r = await app(`/v1/segments/${seg}?dynamic=true`, { method: 'DELETE' });
    expect(r.status).toBe(204);
    expect((await transitions(seg)).sort()).toEqual(['+del1', '+del2', '-del1', '-del2']);
  });

  it('device conditions hold on one device: iOS 3.15 + Android 3.16 does not match "iOS and 3.16"', async () => {
    const seg = await createSegment('iOS on 3.16', {
      device: {
        and: [
          { attribute: { field: 'platform', operator: 'eq', value: 'ios' } },
          { attribute: { field: 'app_version', operator: 'eq', value: '3.16' } },
        ],
      },
    });
    await cio.addDevice('dev1', 'tok-ios', 'ios', { app_version: '3.15' });
    await cio.addDevice('dev1', 'tok-android', 'android', { app_version: '3.16' });
    expect(await members(seg)).toEqual([]);
    await cio.addDevice('dev1', 'tok-ios', 'ios', { app_version: '3.16' }); // update
    expect(await members(seg)).toEqual(['dev1']);
    await cio.addDevice('dev2', 'tok-ios', 'ios', { app_version: '3.16' }); // the token moves
    expect(await members(seg)).toEqual(['dev2']);
    await cio.deleteDevice('dev2', 'tok-ios');
    expect(await members(seg)).toEqual([]);
    // The move is one write: the new owner enters, the old one exits.
    expect(await transitions(seg)).toEqual(['+dev1', '+dev2', '-dev1', '-dev2']);
  });

  it('events: counts and where over data; segments of segments update in the same write', async () => {
    const buyers = await createSegment('Two big purchases', {
      event: {
        name: 'purchase',
        count: { operator: 'gte', value: 2 },
        where: { attribute: { field: 'price', operator: 'gt', value: 10 } },
      },
    });
    const vip = await createSegment('VIP buyers', {
      and: [{ segment: { id: buyers } }, { attribute: { field: 'vip', operator: 'eq', value: true } }],
    });
    await cio.identify('ev1', { vip: true });
    await cio.track('ev1', { name: 'purchase', data: { price: 20 } });
    await cio.track('ev1', { name: 'purchase', data: { price: 5 } });
    expect(await members(buyers)).toEqual([]);
    await cio.track('ev1', { name: 'purchase', data: { price: '12.5' } });
    expect(await members(buyers)).toEqual(['ev1']);
    expect(await members(vip)).toEqual(['ev1']);

    const why = await app(`/v1/segments/${vip}/explain?customer_id=ev1`);
    expect(why.status).toBe(200);
    expect(why.json).toMatchObject({
      result: true,
      member: true,
      tree: {
        node: 'and',
        result: true,
        children: [
          { node: { segment: { id: buyers } }, result: true },
          {
            node: { attribute: { field: 'vip', operator: 'eq', value: 'true' } },
            result: true,
            seen: 'true',
          },
        ],
      },
    });
    const whyBuyers = await app(`/v1/segments/${buyers}/explain?customer_id=ev1`);
    expect(whyBuyers.json).toMatchObject({ result: true, tree: { result: true, seen: { count: 2 } } });

    // Editing the inner segment re-backfills it and the segments built on it, in order.
    const put = await app(`/v1/segments/${buyers}`, {
      method: 'PUT',
      body: {
        segment: { conditions: { event: { name: 'purchase', count: { operator: 'gte', value: 4 } } } },
      },
    });
    expect(put.status).toBe(200);
    expect(await members(buyers)).toEqual([]);
    expect(await members(vip)).toEqual([]);
    await cio.track('ev1', { name: 'purchase', data: {} });
    expect(await members(vip)).toEqual(['ev1']);
  });

  it('delete, suppress and merge record exits (memberships go with the person)', async () => {
    const seg = await createSegment('Tagged', { attribute: { field: 'tag', operator: 'exists' } });
    for (const id of ['d1', 's1', 'm1', 'm2']) await cio.identify(id, { tag: 'x' });
    expect(await members(seg)).toEqual(['d1', 'm1', 'm2', 's1']);
    await cio.destroy('d1');
    await cio.suppress('s1');
    await cio.mergeCustomers(IdentifierType.Id, 'm1', IdentifierType.Id, 'm2');
    expect(await members(seg)).toEqual(['m1']);
    expect(await transitions(seg)).toEqual(['+d1', '+s1', '+m1', '+m2', '-d1', '-s1', '-m2']);
    const deletedExits = await seed.store.db
      .selectFrom('activities')
      .select(['deleted'])
      .where('type', '=', 'exited_segment')
      .where('source', '=', 'system')
      .where(sql<boolean>`customer_identifiers is not null`)
      .execute();
    expect(deletedExits.filter((r) => r.deleted === 1).length).toBeGreaterThanOrEqual(3);
  });

  it('rejects invalid conditions with a pointer: syntax, unknown segments, cycles', async () => {
    const cases: Array<[unknown, string]> = [
      [{ attribute: { field: 'a', operator: 'gt', value: 'abc' } }, '/segment/conditions/attribute/value'],
      [{ and: [{ device: { event: { name: 'x' } } }] }, '/segment/conditions/and/0/device/event'],
      [{ event: { name: 'x', within: '3 days' } }, '/segment/conditions/event/within'],
      [{ segment: { id: 999999 } }, '/segment/conditions/segment/id'],
    ];
    for (const [conditions, pointer] of cases) {
      const r = await app('/v1/segments', { method: 'POST', body: { segment: { name: 'bad', conditions } } });
      expect(r.status).toBe(400);
      expect((r.json.errors as Json[])[0]).toMatchObject({ source: { pointer } });
    }
    const a = await createSegment('A', { attribute: { field: 'x', operator: 'exists' } });
    const b = await createSegment('B', { segment: { id: a } });
    const cyc = await app(`/v1/segments/${a}`, {
      method: 'PUT',
      body: {
        segment: {
          conditions: { or: [{ attribute: { field: 'x', operator: 'exists' } }, { segment: { id: b } }] },
        },
      },
    });
    expect(cyc.status).toBe(400);
    expect((cyc.json.errors as Json[])[0]).toMatchObject({
      source: { pointer: '/segment/conditions/or/1/segment/id' },
    });
    const del = await app(`/v1/segments/${a}?dynamic=true`, { method: 'DELETE' });
    expect(del.status).toBe(400); // B uses A
    expect((await app(`/v1/segments/${b}?dynamic=true`, { method: 'DELETE' })).status).toBe(204);
    expect((await app(`/v1/segments/${a}`, { method: 'DELETE' })).status).toBe(400); // dynamic needs ?dynamic=true
  });

  it('counts conditions, keeps a size history, and search takes the whole language', async () => {
    for (let i = 0; i < 5; i++)
      await cio.identify(`c${i}`, { score: i, nested: { level: i % 2 === 0 ? 'even' : 'odd' } });
    const count = await app('/v1/segments/count', {
      method: 'POST',
      body: { conditions: { attribute: { field: 'score', operator: 'gte', value: 3 } } },
    });
    expect(count.json).toEqual({ count: 2 });
    const bad = await app('/v1/segments/count', { method: 'POST', body: { conditions: { nope: 1 } } });
    expect((bad.json.errors as Json[])[0]).toMatchObject({ source: { pointer: '/conditions/nope' } });

    const seg = await createSegment('Even', {
      attribute: { field: 'nested.level', operator: 'in', value: ['even'] },
    });
    await cio.identify('c0', { nested: { level: 'odd' } });
    const history = await app(`/v1/segments/${seg}/history`);
    const points = history.json.points as Array<{ timestamp: number; count: number }>;
    expect(points[points.length - 1]!.count).toBe(2);

    const found = (await api.searchCustomers({
      and: [
        { attribute: { field: 'score', operator: 'lt', value: 4 } } as never,
        { attribute: { field: 'nested.level', operator: 'starts_with', value: 'od' } } as never,
      ],
    })) as { ids: string[] };
    expect(found.ids.sort()).toEqual(['c0', 'c1', 'c3']);
  });
});
