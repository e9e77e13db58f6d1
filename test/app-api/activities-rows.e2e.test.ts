import { APIClient, type TrackClient } from 'customerio-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { parseJson } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openServerStore, personBy, startTrackServer, trackClient } from '../track/helpers.js';

type Activity = Record<string, unknown> & { id: string; type: string; customer_identifiers: unknown };
type Page = { activities: Activity[]; next: string };

/**
 * Smaller history rows (docs/scaling.md "History rows"): a new person's identify stores one row, the rows of identifies
 * and events leave out identifiers their person's earlier row records, and the App API answers as
 * it did when each activity was a row of its own.
 */
describe.each(engines())('history rows (%s)', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let cio: TrackClient;
  let api: APIClient;

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    store = await openServerStore(server);
    cio = trackClient(server);
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  const rowsOf = async (pid: number) =>
    (
      await store.db
        .selectFrom('activities')
        .selectAll()
        .where('person_pid', '=', pid)
        .orderBy('id')
        .execute()
    ).map((r) => ({ type: r.type, identifiers: parseJson(r.customer_identifiers), data: parseJson(r.data) }));

  const all = async (customerId: string, query: Record<string, unknown> = {}): Promise<Activity[]> => {
    const out: Activity[] = [];
    let start: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = (await api.listActivities({
        customerId,
        ...query,
        ...(start ? { start } : {}),
      } as never)) as Page;
      out.push(...page.activities);
      if (!page.next) return out;
      start = page.next;
    }
    throw new Error('more than 50 pages');
  };

  it('a new person is one row, shown as profile_create and attribute_change', async () => {
    await cio.identify('row-1', { email: 'row-1@example.com', plan: 'pro', visits: 3 });
    const p = (await personBy(store, 'id', 'row-1'))!;
    const rows = await rowsOf(p.pid);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.type).toBe('create_change');

    const ids = { id: 'row-1', email: 'row-1@example.com', cio_id: p.cio_id };
    const page = (await api.getCustomerActivities('row-1', { limit: 10 })) as Page;
    expect(page.next).toBe('');
    expect(page.activities.map((a) => a.type)).toEqual(['attribute_change', 'profile_create']);
    const [change, created] = page.activities;
    expect(change).toMatchObject({
      customer_id: 'row-1',
      customer_identifiers: ids,
      data: { plan: { from: '', to: 'pro' }, visits: { from: '', to: '3' } },
    });
    expect(change).not.toHaveProperty('name');
    expect(created).toMatchObject({
      customer_id: 'row-1',
      customer_identifiers: ids,
      data: { identifiers: ids },
    });
    expect(created).not.toHaveProperty('name');
    expect(change!.id > created!.id).toBe(true);
    expect(change!.timestamp).toBe(created!.timestamp);
  });

  it('pages of one split the row, and filters see each activity alone', async () => {
    await cio.identify('row-2', { plan: 'team' });
    const one = await all('row-2', { limit: 1 });
    expect(one.map((a) => a.type)).toEqual(['attribute_change', 'profile_create']);
    expect(new Set(one.map((a) => a.id)).size).toBe(2);
    expect((await all('row-2', { type: 'attribute_change' })).map((a) => a.data)).toEqual([
      { plan: { from: '', to: 'team' } },
    ]);
    expect((await all('row-2', { type: 'profile_create' })).map((a) => a.type)).toEqual(['profile_create']);
    // A single changed attribute names the change: the name filter finds it, not the profile_create.
    expect((await all('row-2', { name: 'plan' })).map((a) => a.type)).toEqual(['attribute_change']);
    expect(await all('row-2', { type: 'create_change' })).toEqual([]);
  });

  it('events and updates leave identifiers out; reads show the ones in effect then', async () => {
    await cio.identify('row-3', { plan: 'pro' });
    await cio.track('row-3', { name: 'bought', data: { price: 1 } });
    await cio.identify('row-3', { plan: 'team' });
    const p = (await personBy(store, 'id', 'row-3'))!;
    // Only cio_ addressing changes an identifier.
    await cio.identify(`cio_${p.cio_id}`, { id: 'row-3b' });
    await cio.track('row-3b', { name: 'bought', data: { price: 2 } });

    const rows = await rowsOf(p.pid);
    expect(rows.map((r) => [r.type, r.identifiers === null])).toEqual([
      ['create_change', false],
      ['event', true],
      ['attribute_change', true],
      ['attribute_change', false],
      ['event', true],
    ]);
    const before = { id: 'row-3', email: null, cio_id: p.cio_id };
    const after = { id: 'row-3b', email: null, cio_id: p.cio_id };
    const shown = await all('row-3b');
    expect(shown.map((a) => [a.type, a.customer_identifiers])).toEqual([
      ['event', after],
      ['attribute_change', after],
      ['attribute_change', before],
      ['event', before],
      ['attribute_change', before],
      ['profile_create', before],
    ]);
    // The workspace's list resolves them the same way.
    const workspace = (await api.listActivities({ type: 'event', name: 'bought' } as never)) as Page;
    expect(workspace.activities.map((a) => a.customer_id)).toEqual(['row-3b', 'row-3']);
  });

  it('deleted people keep their identifiers; an email finds them case-insensitively beyond ASCII', async () => {
    await cio.identify('ÉLODIE@Example.com', { plan: 'pro' });
    await cio.track('ÉLODIE@Example.com', { name: 'bought', data: {} });
    const p = (await personBy(store, 'email', 'ÉLODIE@Example.com'))!;
    const ids = { id: null, email: 'ÉLODIE@Example.com', cio_id: p.cio_id };
    const live = await all(`cio_${p.cio_id}`, { idType: 'cio_id' });
    await cio.destroy(`cio_${p.cio_id}`);

    for (const email of ['élodie@example.com', 'ÉLODIE@EXAMPLE.COM']) {
      const gone = (await api.listActivities({
        deleted: true,
        customerId: email,
        idType: 'email',
      } as never)) as Page;
      expect(gone.activities.map((a) => a.type)).toEqual(['profile_delete', ...live.map((a) => a.type)]);
      expect(gone.activities.map((a) => a.customer_identifiers)).toEqual(gone.activities.map(() => ids));
      expect(gone.activities.slice(1)).toEqual(live);
    }
    const byId = (await api.listActivities({
      deleted: true,
      customerId: p.cio_id,
      idType: 'cio_id',
    } as never)) as Page;
    expect(byId.activities).toHaveLength(live.length + 1);
  });
  it('stats count a new person’s one row as its two activities', async () => {
    const stats = async (type: string) => {
      const res = await fetch(`${server.appUrl}/activities/stats?interval=day&buckets=2&type=${type}`, {
        headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
      });
      const body = (await res.json()) as {
        buckets: Array<{ count: number }>;
        top_names: Array<{ name: string; count: number }>;
      };
      return { total: body.buckets.reduce((n, b) => n + b.count, 0), names: body.top_names };
    };
    const [changes, creates] = [await stats('attribute_change'), await stats('profile_create')];
    await cio.identify('row-stats', { tier: 'gold' });
    const [changesAfter, createsAfter] = [await stats('attribute_change'), await stats('profile_create')];
    expect(changesAfter.total).toBe(changes.total + 1);
    expect(createsAfter.total).toBe(creates.total + 1);
    expect(changesAfter.names).toContainEqual({ name: 'tier', count: 1 });
    expect(createsAfter.names).toEqual([]);
    expect((await stats('create_change')).total).toBe(0);
  });
});
