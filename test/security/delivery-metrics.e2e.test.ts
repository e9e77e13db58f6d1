import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeFcm } from '../fakes/fake-fcm.js';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerCredentials, type ServerProcess } from '../helpers/server-process.js';
import { openServerStore } from '../track/helpers.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { basic, bearer, call, createWorkspace } from './helpers.js';

/**
 * docs/security.md "Routes that need no key": the Track routes that need no key (metrics, push
 * events, unsubscribe) store a few bounded fields, nothing for deliveries nobody owns, are rate
 * limited per address; and a delivery id resolves only inside the workspace that sent it.
 */
describe.each(engines())('unauthenticated delivery routes on %s', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let A: ServerCredentials;
  let B: ServerCredentials;
  /** A push workspace B sent to its person bob (queued; the delivery worker is off). */
  let delivery: string;
  let fcm: FakeFcm;

  const metricRows = (deliveryId: string) =>
    store.db
      .selectFrom('delivery_metrics')
      .select(['workspace_id', 'metric', 'data', 'device_token'])
      .where('delivery_id', '=', deliveryId)
      .orderBy('seq')
      .execute();

  beforeAll(async () => {
    server = await startServer({
      engine,
      // 1/s with a burst of 10: the rate limit test runs into it; the other tests stay under it.
      env: { ROSTER_DELIVERY_WORKER: '0', ROSTER_BROADCAST_WORKER: '0', ROSTER_PUBLIC_RATE_LIMIT: '1' },
    });
    store = await openServerStore(server);
    A = server.credentials;
    B = await createWorkspace(server, 'B');
    const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBe(200);
    ok(await call(server, 'PUT', '/api/v1/customers/bob', basic(B), { email: 'bob@b.example' }));
    ok(
      await call(server, 'PUT', '/api/v1/customers/bob/devices', basic(B), {
        device: { id: 'bob-token', platform: 'android' },
      }),
    );
    // Push needs a provider; the delivery worker is off, so the fake never receives anything.
    fcm = await new FakeFcm().start();
    ok(
      await call(server, 'PUT', '/v1/workspace/push-providers/fcm', bearer(B), {
        service_account: fcm.account.json,
        endpoint: fcm.origin,
      }),
    );
    ok(await call(server, 'POST', '/v1/transactional', bearer(B), { name: 'hi', title: 't', message: 'm' }));
    const sent = await call(server, 'POST', '/v1/send/push', bearer(B), {
      identifiers: { id: 'bob' },
      transactional_message_id: 'hi',
    });
    ok(sent);
    delivery = sent.json.delivery_id as string;
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
    await fcm?.stop();
  });

  it('a metric without a key keeps only the documented fields, each bounded', async () => {
    const pad = 'x'.repeat(200_000);
    const r = await call(server, 'POST', '/api/v1/metrics', undefined, {
      delivery_id: delivery,
      metric: 'clicked',
      href: `https://example.com/${'h'.repeat(5000)}`,
      recipient: 'bob@b.example',
      pad,
      nested: { pad },
    });
    expect(r.status, r.text).toBe(200);
    const pushed = await call(server, 'POST', '/push/events', undefined, {
      delivery_id: delivery,
      event: 'opened',
      device_id: 'bob-token',
      pad,
    });
    expect(pushed.status, pushed.text).toBe(200);
    const rows = await metricRows(delivery);
    expect(rows.map((m) => m.metric)).toEqual(['clicked', 'opened']);
    for (const row of rows) {
      const stored = typeof row.data === 'string' ? row.data : JSON.stringify(row.data);
      expect(stored.length).toBeLessThan(1000);
      expect(stored).not.toContain('xxxx');
      // It belongs to the workspace that sent the delivery.
      expect(Number(row.workspace_id)).not.toBe(0);
    }
    // The route found that workspace in `delivery_workspaces`, written with the message.
    const owners = await store.db
      .selectFrom('delivery_workspaces')
      .select('workspace_id')
      .where('delivery_id', '=', delivery)
      .execute();
    expect(owners.map((o) => Number(o.workspace_id))).toEqual([Number(rows[0]!.workspace_id)]);
    const data = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, string>;
    expect(data(rows[0]!.data).recipient).toBe('bob@b.example');
    expect(data(rows[0]!.data).href!.length).toBeLessThanOrEqual(512);
  });

  it('stores nothing for a delivery no workspace owns, and refuses oversized ids', async () => {
    for (const [p, body] of [
      ['/api/v1/metrics', { delivery_id: 'nobodys-delivery', metric: 'clicked', pad: 'y'.repeat(100_000) }],
      ['/api/v1/push/events', { delivery_id: 'nobodys-delivery', event: 'opened' }],
      ['/unsubscribe/nobodys-delivery', { unsubscribe: true }],
    ] as const) {
      const r = await call(server, 'POST', p, undefined, body);
      expect(r.status, `${p} ${r.text}`).toBe(200);
    }
    expect(await metricRows('nobodys-delivery')).toEqual([]);
    const long = await call(server, 'POST', '/api/v1/metrics', undefined, {
      delivery_id: 'd'.repeat(129),
      metric: 'clicked',
    });
    expect(long.status).toBe(400);
    expect(long.text).toMatch(/delivery_id cannot be longer than 128 bytes/);
  });

  it("another workspace's metric for a delivery never lets an unsubscribe write its person", async () => {
    const seg = await call(server, 'POST', '/v1/segments', bearer(A), {
      segment: {
        name: 'A unsubscribed',
        conditions: { attribute: { field: 'unsubscribed', operator: 'eq', value: 'true' } },
      },
    });
    expect(seg.status, seg.text).toBe(200);
    const segmentId = (seg.json.segment as { id: number }).id;
    // A delivery of its own: A's metric is the first that names it.
    const sent = await call(server, 'POST', '/v1/send/push', bearer(B), {
      identifiers: { id: 'bob' },
      transactional_message_id: 'hi',
    });
    expect(sent.status, sent.text).toBe(200);
    const delivery = sent.json.delivery_id as string;
    // 1. A reports B's delivery id with its own (public) tracking key; 2. an unsubscribe without key.
    expect(
      (
        await call(server, 'POST', '/api/v1/metrics', basic(A), {
          delivery_id: delivery,
          metric: 'delivered',
        })
      ).status,
    ).toBe(200);
    expect((await call(server, 'POST', `/unsubscribe/${delivery}`, basic(A), {})).status).toBe(200);
    expect(
      (await call(server, 'POST', `/unsubscribe/${delivery}`, undefined, { unsubscribe: true })).status,
    ).toBe(200);

    // A's segment and activity feed hold nothing of B's bob.
    const members = await call(server, 'GET', `/v1/segments/${segmentId}/membership`, bearer(A));
    expect(members.status).toBe(200);
    expect(members.text).not.toContain('bob');
    const feedA = await call(server, 'GET', '/v1/activities?limit=100', bearer(A));
    expect(feedA.text).not.toContain('bob');
    // B's bob is unsubscribed, with the change in B's own history.
    const bob = await call(server, 'GET', '/v1/customers/bob/attributes', bearer(B));
    expect(bob.json.customer).toMatchObject({ unsubscribed: true });
    const history = await call(
      server,
      'GET',
      '/v1/activities?type=attribute_change&name=unsubscribed&limit=10',
      bearer(B),
    );
    expect(history.text).toContain('bob');
    // A's metric is A's own, about a delivery A does not know: attached to nobody.
    const rows = await metricRows(delivery);
    const ids = await store.db.selectFrom('workspaces').select(['id', 'site_id']).execute();
    const idOf = (c: ServerCredentials) => Number(ids.find((w) => w.site_id === c.siteId)!.id);
    expect(rows.filter((r) => Number(r.workspace_id) === idOf(A)).map((r) => r.metric)).toEqual([
      'delivered',
      'unsubscribed',
    ]);
    expect(rows.filter((r) => Number(r.workspace_id) === idOf(B)).map((r) => r.metric)).toContain(
      'unsubscribed',
    );
    // Re-subscribing without a key changes B alone, too.
    expect(
      (await call(server, 'POST', `/unsubscribe/${delivery}`, undefined, { unsubscribe: false })).status,
    ).toBe(200);
    const again = await call(server, 'GET', `/v1/segments/${segmentId}/membership`, bearer(A));
    expect(again.text).not.toContain('bob');
  });

  it('rate limits requests without a key per address; keyed requests are not counted', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    // The bucket holds 10 (1/s, ten seconds' burst): some of the requests above spent from it too.
    for (let i = 0; i < 30 && !limited; i++) {
      const r = await call(server, 'POST', '/push/events', undefined, {
        delivery_id: delivery,
        event: 'opened',
      });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(limited, statuses.join(' ')).toBeDefined();
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited!.json).toMatchObject({ meta: { error: expect.stringMatching(/too many requests/) } });
    // With the workspace's key the same request goes through.
    const keyed = await call(server, 'POST', '/push/events', basic(B), {
      delivery_id: delivery,
      event: 'opened',
    });
    expect(keyed.status, keyed.text).toBe(200);
    // And the server keeps serving everyone else.
    expect((await call(server, 'GET', '/healthz', undefined)).status).toBe(200);
  });
});
