import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackClient } from 'customerio-node';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';

type Json = Record<string, unknown>;

/**
 * A write that changes only attributes no segment reads skips evaluation (a version check stands
 * in for it). These tests pin what must still hold: memberships stay right, a segment defined
 * afterwards — in this process or, on PostgreSQL, in another one — is honoured by the next such
 * write, and dot-path topic updates count as changes to their top-level attribute.
 */
describe.each(engines())('segments and attribute-only writes (%s)', (engine) => {
  let a: ServerProcess;
  let b: ServerProcess;
  let database: TestDatabase | undefined;
  let track: TrackClient;

  async function app(server: ServerProcess, path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${server.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${server.credentials.appApiKey}`,
        'content-type': 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Json;
    expect(res.status, JSON.stringify(json)).toBe(200);
    return json;
  }
  const segment = async (server: ServerProcess, name: string, conditions: unknown) =>
    ((await app(server, '/v1/segments', { segment: { name, conditions } })).segment as { id: number }).id;
  const members = async (id: number) =>
    ((await app(a, `/v1/segments/${id}/membership`)).ids as string[]).sort();

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await createTestDatabase('attronly');
      const credentials = randomCredentials();
      [a, b] = await Promise.all([
        startServer({ engine, databaseUrl: database.url, credentials }),
        startServer({ engine, databaseUrl: database.url, credentials }),
      ]);
    } else {
      a = await startServer({ engine });
      b = a;
    }
    track = new TrackClient(a.credentials.siteId, a.credentials.apiKey, { url: a.trackUrl });
  });
  afterAll(async () => {
    await a?.cleanup();
    if (b !== a) await b?.cleanup();
    await database?.drop();
  });

  it('keeps memberships right through writes no segment reads, and honours segments defined later', async () => {
    const pro = await segment(a, 'pro', { attribute: { field: 'plan', operator: 'eq', value: 'pro' } });
    await track.identify('u1', { plan: 'pro', last_seen: 1 });
    await track.identify('u2', { plan: 'free', last_seen: 1 });
    expect(await members(pro)).toEqual(['u1']);

    // Only an attribute no segment reads: nobody enters or exits.
    await track.identify('u1', { last_seen: 2 });
    await track.identify('u2', { last_seen: 2 });
    expect(await members(pro)).toEqual(['u1']);

    // A segment on that attribute, defined now (in the other process on PostgreSQL): the next
    // attribute-only write must be evaluated against it.
    const recent = await segment(b, 'recent', {
      attribute: { field: 'last_seen', operator: 'gte', value: 100 },
    });
    expect(await members(recent)).toEqual([]);
    await track.identify('u2', { last_seen: 150 });
    expect(await members(recent)).toEqual(['u2']);
    await track.identify('u2', { last_seen: 3 });
    expect(await members(recent)).toEqual([]);

    // A write changing a read attribute together with unread ones is evaluated.
    await track.identify('u2', { plan: 'pro', color: 'blue' });
    expect(await members(pro)).toEqual(['u1', 'u2']);
  });

  it('re-evaluates segments built on a segment whose attribute changed, and leaves the others be', async () => {
    const vip = await segment(a, 'vip', { attribute: { field: 'tier', operator: 'eq', value: 'vip' } });
    const vipOnIos = await segment(a, 'vip on ios', {
      and: [
        { segment: { id: vip } },
        { device: { attribute: { field: 'platform', operator: 'eq', value: 'ios' } } },
      ],
    });
    const buyers = await segment(a, 'buyers', { event: { name: 'purchase' } });
    await track.identify('d1', { tier: 'basic' });
    await track.addDevice('d1', 'd1-token', 'ios');
    await track.track('d1', { name: 'purchase' });
    expect([await members(vip), await members(vipOnIos), await members(buyers)]).toEqual([[], [], ['d1']]);
    // Only `tier` changes: vip is read directly, vip-on-ios through its segment reference.
    await track.identify('d1', { tier: 'vip' });
    expect([await members(vip), await members(vipOnIos), await members(buyers)]).toEqual([
      ['d1'],
      ['d1'],
      ['d1'],
    ]);
    await track.identify('d1', { tier: 'basic' });
    expect([await members(vip), await members(vipOnIos), await members(buyers)]).toEqual([[], [], ['d1']]);
  });

  it('treats a dot-path topic update as a change to its top-level attribute', async () => {
    const topic = await segment(a, 'topic 1', {
      attribute: { field: 'cio_subscription_preferences.topics.topic_1', operator: 'eq', value: 'true' },
    });
    await track.identify('t1', { first_name: 'T' });
    expect(await members(topic)).toEqual([]);
    await track.identify('t1', { 'cio_subscription_preferences.topics.topic_1': true });
    expect(await members(topic)).toEqual(['t1']);
  });
});
