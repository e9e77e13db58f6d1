import { APIClient } from 'customerio-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCall, configureProviders, startFakes, trackCall, type Fakes } from '../messaging/helpers.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';

const PEOPLE = 120;
const token = (i: number) => `fcm-once-${String(i).padStart(4, '0')}`;

/**
 * Work shared by N servers and done once (docs/scaling.md "Background work"): two `roster serve`
 * processes on one PostgreSQL, both running the delivery worker, the broadcast fan-out and the
 * segment `within` recheck. Pushes queued through both reach the (fake) provider once each; a
 * broadcast triggered on one server sends each person one message; people leave a `within` segment
 * once each when their event ages out.
 */
describe.runIf(postgresAvailable())('two servers on one PostgreSQL do shared work once', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let fakes: Fakes;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('once');
    fakes = await startFakes();
    const credentials = randomCredentials();
    const env = {
      ROSTER_LOG_LEVEL: 'warn',
      ROSTER_SEGMENT_RECHECK_SECONDS: '1',
      ROSTER_BROADCAST_PAGE_SIZE: '20',
    };
    // One first (it migrates and creates the workspace), then the other.
    a = await startServer({ engine: 'postgres', databaseUrl: db.url, credentials, env });
    b = await startServer({ engine: 'postgres', databaseUrl: db.url, credentials, env });
    await configureProviders(a, fakes);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const batch: unknown[] = [];
    for (let i = 0; i < PEOPLE; i++) {
      const identifiers = { id: `p${i}` };
      batch.push({ type: 'person', action: 'identify', identifiers, attributes: { cohort: 'once' } });
      batch.push({
        type: 'person',
        action: 'add_device',
        identifiers,
        device: { token: token(i), platform: 'android' },
      });
    }
    const seeded = await trackCall(i2(a, b, 0), 'POST', '/api/v2/batch', { batch });
    expect(seeded.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await sql?.end();
    await a?.cleanup();
    await b?.cleanup();
    await fakes?.stop();
    await db?.drop();
  });

  /** The two servers in turn. */
  function i2(x: ServerProcess, y: ServerProcess, i: number): ServerProcess {
    return i % 2 === 0 ? x : y;
  }
  const deliveryIds = (tokenPrefix: string) => {
    const byId = new Map<string, number>();
    for (const r of fakes.fcm.received)
      if (r.token.startsWith(tokenPrefix)) {
        const d = (r.message.data as Record<string, string>)['CIO-Delivery-ID']!;
        byId.set(d, (byId.get(d) ?? 0) + 1);
      }
    return byId;
  };

  it('delivers each queued push once', async () => {
    const tm = await appCall(a, 'POST', '/v1/transactional', {
      name: 'ping',
      title: 'Ping',
      message: 'Ping',
    });
    expect(tm.status).toBe(200);
    const sends = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        appCall<{ delivery_id: string }>(i2(a, b, i), 'POST', '/v1/send/push', {
          identifiers: { id: `p${i}` },
          transactional_message_id: 'ping',
          to: token(i),
        }),
      ),
    );
    expect(sends.map((s) => s.status)).toEqual(sends.map(() => 200));
    await waitFor('every push delivered', () => deliveryIds('fcm-once-').size >= 40, 120_000);
    const byId = deliveryIds('fcm-once-');
    expect(byId.size).toBe(40);
    expect([...byId.values()].filter((n) => n !== 1)).toEqual([]);
  }, 180_000);

  it('sends a broadcast triggered on one server to each person once', async () => {
    const before = fakes.fcm.received.length;
    const seg = await appCall<{ segment: { id: number } }>(b, 'POST', '/v1/segments', {
      segment: {
        name: 'Once',
        conditions: { attribute: { field: 'cohort', operator: 'eq', value: 'once' } },
      },
    });
    expect(seg.status).toBe(200);
    await waitFor(
      'segment backfill',
      async () =>
        (await appCall<{ count: number }>(a, 'GET', `/v1/segments/${seg.body.segment.id}/customer_count`))
          .body.count === PEOPLE,
      60_000,
    );
    const campaign = await appCall<{ campaign: { id: number } }>(a, 'POST', '/v1/campaigns', {
      name: 'News',
      type: 'broadcast',
      filter: { segment: { id: seg.body.segment.id } },
      template: { title: 'News', message: 'Hi' },
    });
    expect(campaign.status).toBe(200);
    const api = new APIClient(a.credentials.appApiKey, { url: b.appUrl });
    await api.triggerBroadcast(campaign.body.campaign.id, {}, undefined as never);
    const received = () => fakes.fcm.received.slice(before).filter((r) => r.status === 200);
    await waitFor(
      'every person reached',
      () => new Set(received().map((r) => r.token)).size === PEOPLE,
      180_000,
    );
    // Let both servers' workers look again (a second send would show up now), then count.
    await waitFor(
      'trigger done',
      async () => {
        const r = await sql.query<{ status: string }>(`select status from broadcast_triggers`);
        return r.rows.length === 1 && r.rows[0]!.status === 'done';
      },
      60_000,
    );
    const perToken = new Map<string, number>();
    for (const r of received()) perToken.set(r.token, (perToken.get(r.token) ?? 0) + 1);
    expect(perToken.size).toBe(PEOPLE);
    expect([...perToken].filter(([, n]) => n !== 1)).toEqual([]);
  }, 300_000);

  it('records each person leaving a "within" segment once', async () => {
    const seg = await appCall<{ segment: { id: number } }>(a, 'POST', '/v1/segments', {
      segment: { name: 'Pinged lately', conditions: { event: { name: 'ping', within: '3s' } } },
    });
    expect(seg.status).toBe(200);
    const pingers = Array.from({ length: 10 }, (_, i) => `p${i}`);
    await Promise.all(
      pingers.map((id, i) =>
        trackCall(i2(a, b, i), 'POST', `/api/v1/customers/${id}/events`, { name: 'ping' }),
      ),
    );
    const count = async () =>
      (await appCall<{ count: number }>(b, 'GET', `/v1/segments/${seg.body.segment.id}/customer_count`)).body
        .count;
    await waitFor('everyone to leave the segment', async () => (await count()) === 0, 60_000, 250);
    // Two more recheck rounds (the lease holder renews on each), in which a second exit would show.
    const lease = async () =>
      Number(
        (
          await sql.query<{ e: string }>(
            `select expires_at_ms as e from leases where name = 'segments:within-recheck'`,
          )
        ).rows[0]?.e ?? 0,
      );
    const renewed = await lease();
    await waitFor('two more recheck rounds', async () => (await lease()) >= renewed + 2_000, 30_000, 100);
    const exits = await sql.query<{ person_pid: string; n: string }>(
      `select person_pid, count(*) as n from activities where type = 'exited_segment' and name = 'Pinged lately'
       group by person_pid`,
    );
    expect(exits.rows).toHaveLength(pingers.length);
    expect(exits.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
  }, 120_000);
});
