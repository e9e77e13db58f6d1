import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../packages/server/src/http/app.js';
import { systemClock } from '../../packages/server/src/lib/clock.js';
import { encodeTime, ulid } from '../../packages/server/src/lib/ulid.js';
import { HistoryRetention } from '../../packages/server/src/services/history/retention.js';
import type { Services } from '../../packages/server/src/services/services.js';
import { ensureHistoryPartitions } from '../../packages/server/src/store/history/partitions.js';
import { openStore } from '../../packages/server/src/store/open-store.js';
import { toJson, type Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';

const DAY_MS = 86_400_000;
const SILENT = { info: () => {}, warn: () => {} };

/**
 * ROSTER_RETENTION_DAYS (docs/operations.md "Retention") on each engine: history older than the
 * retention goes (PostgreSQL drops month partitions, SQLite deletes in batches), recent history
 * stays and the App API still answers it, and events a segment's event condition still counts are
 * kept as long as its window (or for ever, when it has none).
 */
describe.each(engines())('history retention on %s', (engine) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let workspaceId: number;
  let track: string;
  let bearer: string;
  const old = Date.now() - 100 * DAY_MS;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-retention-'));
    if (engine === 'postgres') database = await createTestDatabase('retention');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    ({ app, services } = await buildApp({ store }));
    const { workspace, credentials } = await services.workspaces.create({ siteId: 'retention' });
    workspaceId = workspace.id;
    track = `Basic ${Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64')}`;
    bearer = `Bearer ${credentials.appApiKey}`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const r = await app.inject({
      method,
      url,
      payload,
      headers: { authorization: url.startsWith('/api/') ? track : bearer },
    });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return (r.body ? r.json() : {}) as Record<string, unknown>;
  };
  const count = async (table: 'events' | 'activities', where: 'old' | 'all') => {
    let q = store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (where === 'old')
      q =
        table === 'events'
          ? q.where('created_at', '<', Math.floor((old + DAY_MS) / 1000))
          : q.where('id', '<', encodeTime(old + DAY_MS));
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  /** Runs retention as `roster serve` would, until it reports nothing more to do right away. */
  const prune = async (days: number) => {
    const retention = new HistoryRetention(store, systemClock, days, SILENT);
    for (let i = 0; i < 100 && (await retention.tick()); i++);
    return retention;
  };

  it('keeps recent history, drops what is older than the retention, and keeps what segments count', async () => {
    // Today's history, through the Track API.
    await call('PUT', '/api/v1/customers/ann', { email: 'ann@example.com', plan: 'pro' });
    await call('POST', '/api/v1/customers/ann/events', { name: 'purchase', data: { total: 5 } });
    // The same event id twice is stored once (the event-id check, not a unique index, on PostgreSQL).
    const eventId = ulid();
    await call('POST', '/api/v1/customers/ann/events', { name: 'login', id: eventId });
    await call('POST', '/api/v1/customers/ann/events', { name: 'login', id: eventId });
    const logins = await store.db.selectFrom('events').select('seq').where('name', '=', 'login').execute();
    expect(logins).toHaveLength(1);
    const pid = Number(
      (await store.db.selectFrom('people').select('pid').where('id', '=', 'ann').executeTakeFirstOrThrow())
        .pid,
    );

    // History from 100 days ago (its month's partitions made as they were then, on PostgreSQL).
    if (engine === 'postgres')
      await store.transaction((trx) => ensureHistoryPartitions(trx, Date.now(), 3, old));
    await store.transaction(async (trx) => {
      for (let i = 0; i < 5; i++) {
        await trx
          .insertInto('events')
          .values({
            workspace_id: workspaceId,
            event_id: `old-${i}`,
            person_pid: pid,
            anonymous_id: null,
            type: 'event',
            name: 'purchase',
            data: toJson({ total: i }),
            timestamp: Math.floor(old / 1000) + i,
            created_at: Math.floor(old / 1000) + i,
          })
          .execute();
        await trx
          .insertInto('activities')
          .values({
            // ulid() never goes back in time within a process: an id made then, by hand.
            id: `${encodeTime(old + i)}${'0'.repeat(16)}`,
            workspace_id: workspaceId,
            person_pid: pid,
            customer_identifiers: toJson({ id: 'ann', email: 'ann@example.com', cio_id: 'x' }),
            type: 'event',
            name: 'purchase',
            data: toJson({ total: i }),
            source: 'track_v1',
            delivery_id: null,
            delivery_type: null,
            timestamp: Math.floor(old / 1000) + i,
            deleted: 0,
          })
          .execute();
      }
    });
    expect(await count('events', 'old')).toBe(5);
    expect(await count('activities', 'old')).toBe(5);
    const recentIds = async () =>
      (
        await store.db
          .selectFrom('activities')
          .select('id')
          .where('id', '>=', encodeTime(old + DAY_MS))
          .execute()
      )
        .map((r) => r.id)
        .sort();
    const recentActivities = await recentIds();
    const recentEvents = (await count('events', 'all')) - 5;

    // No retention set: nothing goes.
    const keepAll = new HistoryRetention(store, systemClock, undefined, SILENT);
    expect(await keepAll.cutoffs()).toBeUndefined();
    expect(await keepAll.tick()).toBe(false);
    expect(await count('events', 'old')).toBe(5);

    // A segment counting purchases within 200 days: 30-day retention keeps those events.
    const seg = (await call('POST', '/v1/segments', {
      segment: {
        name: 'Bought lately',
        conditions: { event: { name: 'purchase', within: '200d', count: { operator: 'gte', value: 3 } } },
      },
    })) as { segment: { id: number } };
    const retention = await prune(30);
    expect((await retention.cutoffs())?.eventsKeptFor).toMatch(/within 200 days/);
    expect(await count('activities', 'old')).toBe(0);
    expect(await recentIds()).toEqual(expect.arrayContaining(recentActivities));
    expect(await count('events', 'old')).toBe(5);
    const members = (await call('GET', `/v1/segments/${seg.segment.id}/membership`)) as {
      identifiers: Array<{ id: string }>;
    };
    expect(members.identifiers.map((i) => i.id)).toEqual(['ann']);

    // A segment counting an event ever: events are kept whatever their age.
    const ever = (await call('POST', '/v1/segments', {
      segment: { name: 'Ever logged in', conditions: { event: { name: 'login' } } },
    })) as { segment: { id: number } };
    expect((await (await prune(30)).cutoffs())?.eventsKeptFor).toMatch(/ever/);
    expect(await count('events', 'old')).toBe(5);

    // Without those segments, the old events go too; today's stay, and the App API answers them.
    await call('DELETE', `/v1/segments/${ever.segment.id}?dynamic=true`);
    await call('DELETE', `/v1/segments/${seg.segment.id}?dynamic=true`);
    await prune(30);
    expect(await count('events', 'old')).toBe(0);
    expect(await count('events', 'all')).toBe(recentEvents);
    const activities = (await call('GET', `/v1/customers/ann/activities?id_type=id`)) as {
      activities: Array<{ type: string }>;
    };
    expect(activities.activities.map((a) => a.type)).toEqual(expect.arrayContaining(['event']));
    expect(activities.activities.length).toBeGreaterThan(0);
  });

  it('stores history received in no month partition (2019, 2040), reads it, and still prunes it', async () => {
    const pid = Number(
      (await store.db.selectFrom('people').select('pid').where('id', '=', 'ann').executeTakeFirstOrThrow())
        .pid,
    );
    const past = Date.UTC(2019, 5, 15);
    const future = Date.UTC(2040, 5, 15);
    // Written as the write path writes them; on PostgreSQL neither month has a partition.
    await store.transaction(async (trx) => {
      for (const [label, ms] of [
        ['past', past],
        ['future', future],
      ] as const) {
        await trx
          .insertInto('events')
          .values({
            workspace_id: workspaceId,
            event_id: `far-${label}`,
            person_pid: pid,
            anonymous_id: null,
            type: 'event',
            name: `far_${label}`,
            data: toJson({}),
            timestamp: Math.floor(ms / 1000),
            created_at: Math.floor(ms / 1000),
          })
          .execute();
        await trx
          .insertInto('activities')
          .values({
            id: `${encodeTime(ms)}${'0'.repeat(16)}`,
            workspace_id: workspaceId,
            person_pid: pid,
            customer_identifiers: toJson({ id: 'ann', email: 'ann@example.com', cio_id: 'x' }),
            type: 'event',
            name: `far_${label}`,
            data: toJson({}),
            source: 'track_v1',
            delivery_id: null,
            delivery_type: null,
            timestamp: Math.floor(ms / 1000),
            deleted: 0,
          })
          .execute();
      }
    });
    const farEvents = async () =>
      (
        await store.db
          .selectFrom('events')
          .select('name')
          .where('name', 'like', 'far_%')
          .orderBy('name')
          .execute()
      ).map((r) => r.name);
    const farActivities = async () => {
      const r = (await call('GET', `/v1/customers/ann/activities?id_type=id&limit=100`)) as {
        activities: Array<{ name?: string | null }>;
      };
      return r.activities
        .map((a) => a.name)
        .filter((n) => n?.startsWith('far_'))
        .sort();
    };
    expect(await farEvents()).toEqual(['far_future', 'far_past']);
    expect(await farActivities()).toEqual(['far_future', 'far_past']);

    if (engine === 'postgres') {
      const where = async () =>
        (
          await sql<{ part: string; name: string }>`select tableoid::regclass::text as part, name from events
            where name like 'far_%' order by name`.execute(store.db)
        ).rows.map((r) => `${r.name}@${r.part}`);
      expect(await where()).toEqual(['far_future@events_default', 'far_past@events_default']);
      // 2040's month partition, made when that month comes near: its rows move into it.
      await store.transaction((trx) => ensureHistoryPartitions(trx, future, 0));
      expect(await where()).toEqual(['far_future@events_y2040m06', 'far_past@events_default']);
      expect(await farActivities()).toEqual(['far_future', 'far_past']);
    }

    // Retention drops 2019's rows, wherever they are, and keeps 2040's.
    await prune(30);
    expect(await farEvents()).toEqual(['far_future']);
    expect(await farActivities()).toEqual(['far_future']);
  });

  it.runIf(engine === 'postgres')(
    'keeps events and activities as month partitions, created ahead',
    async () => {
      const parents = await sql<{ name: string }>`select c.relname as name from pg_partitioned_table t
        join pg_class c on c.oid = t.partrelid order by 1`.execute(store.db);
      expect(parents.rows.map((r) => r.name)).toEqual(['activities', 'events']);
      // Made when the store opened and when retention ran: nothing left to make.
      expect(await store.transaction((trx) => ensureHistoryPartitions(trx, Date.now(), 3))).toEqual([]);
      const ahead = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 3, 1));
      const month = `y${ahead.getUTCFullYear()}m${String(ahead.getUTCMonth() + 1).padStart(2, '0')}`;
      const made = await sql<{ name: string }>`select relname as name from pg_class
        where relname in (${`events_${month}`}, ${`activities_${month}`}) order by 1`.execute(store.db);
      expect(made.rows.map((r) => r.name)).toEqual([`activities_${month}`, `events_${month}`]);
    },
  );
});
