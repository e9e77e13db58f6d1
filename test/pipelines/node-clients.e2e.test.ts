import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analytics as CioAnalytics } from '@customerio/cdp-analytics-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import Rudder from '@rudderstack/rudder-sdk-node';
import { engines } from '../helpers/postgres.js';
import { startPipelinesServer, type PipelinesServer } from './helpers.js';

/** What each Node client is driven through: the calls common to all three, then a flush. */
interface Client {
  identify(userId: string, traits: Record<string, unknown>, anonymousId?: string): void;
  track(
    id: { userId?: string; anonymousId?: string },
    event: string,
    properties: Record<string, unknown>,
    context?: Record<string, unknown>,
  ): void;
  page(userId: string, name: string, properties: Record<string, unknown>): void;
  group(userId: string, groupId: string, traits: Record<string, unknown>): void;
  alias(userId: string, previousId: string): void;
  flush(): Promise<void>;
}

function cio(s: PipelinesServer): Client {
  const a = new CioAnalytics({ writeKey: s.writeKey, host: s.url, maxRetries: 1, flushInterval: 100_000 });
  return {
    identify: (userId, traits, anonymousId) =>
      a.identify({ userId, traits, ...(anonymousId ? { anonymousId } : {}) } as never),
    track: (id, event, properties, context) =>
      a.track({ ...id, event, properties, ...(context ? { context } : {}) } as never),
    page: (userId, name, properties) => a.page({ userId, name, properties } as never),
    group: (userId, groupId, traits) => a.group({ userId, groupId, traits } as never),
    alias: (userId, previousId) => a.alias({ userId, previousId } as never),
    flush: () => a.closeAndFlush({ timeout: 20_000 }),
  };
}

function segment(s: PipelinesServer): Client {
  const a = new SegmentAnalytics({
    writeKey: s.writeKey,
    host: s.url,
    maxRetries: 1,
    flushInterval: 100_000,
  });
  return {
    identify: (userId, traits, anonymousId) =>
      a.identify({ userId, traits, ...(anonymousId ? { anonymousId } : {}) } as never),
    track: (id, event, properties, context) =>
      a.track({ ...id, event, properties, ...(context ? { context } : {}) } as never),
    page: (userId, name, properties) => a.page({ userId, name, properties } as never),
    group: (userId, groupId, traits) => a.group({ userId, groupId, traits } as never),
    alias: (userId, previousId) => a.alias({ userId, previousId } as never),
    flush: () => a.closeAndFlush({ timeout: 20_000 }),
  };
}

function rudder(s: PipelinesServer): Client {
  // gzip on (its default): RudderStack sends application/x-www-form-urlencoded + Content-Encoding: gzip.
  const a = new Rudder(s.writeKey, {
    dataPlaneUrl: s.url,
    flushAt: 100,
    flushInterval: 100_000,
    retryCount: 1,
  } as never);
  return {
    identify: (userId, traits, anonymousId) =>
      a.identify({ userId, traits, ...(anonymousId ? { anonymousId } : {}) } as never),
    track: (id, event, properties, context) =>
      a.track({ ...id, event, properties, ...(context ? { context } : {}) } as never),
    page: (userId, name, properties) => a.page({ userId, name, properties } as never),
    group: (userId, groupId, traits) => a.group({ userId, groupId, traits } as never),
    alias: (userId, previousId) => a.alias({ userId, previousId } as never),
    flush: () =>
      new Promise<void>((resolve, reject) => {
        // Its flush both calls back and returns a promise: either way an error fails the flush.
        Promise.resolve(a.flush((err?: Error) => (err ? reject(err) : resolve()))).catch(reject);
      }),
  };
}

const CLIENTS: Array<[string, (s: PipelinesServer) => Client]> = [
  ['@customerio/cdp-analytics-node', cio],
  ['@segment/analytics-node', segment],
  ['@rudderstack/rudder-sdk-node', rudder],
];

describe.each(engines())('the real Node clients against Roster (%s)', (engine) => {
  let s: PipelinesServer;

  beforeAll(async () => {
    s = await startPipelinesServer(engine);
  });
  afterAll(async () => {
    await s?.server.cleanup();
  });

  it.each(CLIENTS)(
    '%s: identify, anonymous merge, track, page, group, alias and devices read back',
    async (name, make) => {
      const tag = name.replace(/[^a-z]/g, '').slice(-8);
      const user = `${tag}-u1`;
      const anon = `${tag}-anon-1`;
      const client = make(s);
      client.track({ anonymousId: anon }, 'Viewed Product', { sku: 'A1' });
      await client.flush();
      const c2 = make(s);
      c2.identify(
        user,
        { email: `${tag}@example.com`, created_at: '2024-01-01T00:00:00Z', plan: 'pro' },
        anon,
      );
      c2.track({ userId: user }, 'Order Placed', { total: 12.5 });
      c2.page(user, 'Home', { url: 'https://x.test/', category: 'Docs' });
      c2.group(user, 'acme', { name: 'Acme', object_type_id: '1' });
      c2.track(
        { userId: user },
        'Device Created or Updated',
        { app_version: '1.2', push_enabled: 'true' },
        {
          device: { token: `${tag}-tok`, type: 'ios' },
        },
      );
      c2.identify(`${tag}-old`, { legacy: true });
      await c2.flush();
      const c3 = make(s);
      c3.alias(user, `${tag}-old`);
      await c3.flush();

      const person = await s.person(user);
      expect(person?.attributes).toMatchObject({
        email: `${tag}@example.com`,
        plan: 'pro',
        created_at: '1704067200',
        legacy: 'true',
      });
      expect(person?.devices).toEqual([
        expect.objectContaining({
          id: `${tag}-tok`,
          platform: 'ios',
          attributes: expect.objectContaining({ app_version: '1.2', push_enabled: 'true' }),
        }),
      ]);
      expect(await s.person(`${tag}-old`)).toBeUndefined();
      const acts = await s.activities(user);
      const names = acts.map((a) => `${a.type}:${a.name ?? a.url ?? ''}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'event:Viewed Product',
          'event:Order Placed',
          'page:https://x.test/',
          'add_relationship:acme',
          'anon_merge:',
          'profile_merge:',
        ]),
      );
    },
  );
});
