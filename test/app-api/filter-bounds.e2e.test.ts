import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { appCall } from '../messaging/helpers.js';
import { seeder, type Seeder } from './helpers/seed.js';

/**
 * The work one filter may ask for is bounded when it is parsed, with a
 * 400 naming the limit and the node, on every route that takes a filter — never a 500 from the
 * database, and never a campaign that is retried forever.
 */

const events = (n: number) => ({ or: Array.from({ length: n }, (_, i) => ({ event: { name: `e${i}` } })) });
const devices = (n: number) => ({
  or: Array.from({ length: n }, (_, i) => ({
    device: { attribute: { field: 'platform', operator: 'eq', value: `p${i}` } },
  })),
});
/** `lists` `in` conditions of 1,000 values each. */
const inLists = (lists: number) => ({
  or: Array.from({ length: lists }, (_, j) => ({
    attribute: {
      field: 'plan',
      operator: 'in',
      value: Array.from({ length: 1000 }, (_, i) => `${j}-${i}`),
    },
  })),
});

type ErrorBody = { errors?: Array<{ detail: string; source?: { pointer?: string } }> };

describe.each(engines())('filter cost bounds (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;

  beforeAll(async () => {
    server = await startServer({ engine });
    seed = await seeder(server);
    await seed.people(
      Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, attributes: { plan: i % 2 ? '3-7' : 'free' } })),
    );
  }, 120_000);

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  /** The routes that take a filter, each with the filter placed where that route reads it. */
  const routes = (filter: unknown): Array<[string, string, unknown]> => [
    ['POST', '/v1/customers', { filter }],
    ['POST', '/v1/segments/count', { conditions: filter }],
    ['POST', '/v1/segments', { segment: { name: 'bounded', conditions: filter } }],
    [
      'POST',
      '/v1/campaigns',
      { name: 'c', type: 'broadcast', filter, template: { title: 't', message: 'm' } },
    ],
  ];

  async function expectRefused(filter: unknown, detail: RegExp, pointer: RegExp): Promise<void> {
    for (const [method, path, body] of routes(filter)) {
      const r = await appCall<ErrorBody>(server, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body.errors?.[0]?.detail, `${method} ${path}`).toMatch(detail);
      expect(r.body.errors?.[0]?.source?.pointer, `${method} ${path}`).toMatch(pointer);
    }
  }

  it('refuses more than 20 event conditions, naming the limit and the node', async () => {
    await expectRefused(events(21), /more than 20 event conditions/, /\/or\/20$/);
    const ok = await appCall<{ count: number }>(server, 'POST', '/v1/segments/count', {
      conditions: events(20),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.count).toBe(0);
  });

  it('refuses more than 20 device conditions', async () => {
    await expectRefused(devices(21), /more than 20 device conditions/, /\/or\/20$/);
  });

  it('answers many `in` values with a 400 naming the limit, never a 500', async () => {
    // 33 × 1,000 values passed the old parser and hit SQLite's 32,766 bound variables (500).
    await expectRefused(inLists(33), /more than 10000 in values/, /\/or\/10\/attribute\/value$/);
    await expectRefused(inLists(66), /more than 10000 in values/, /\/or\/10\/attribute\/value$/);
  });

  it('runs a filter at the limit on both engines', async () => {
    const r = await appCall<{ identifiers: unknown[] }>(server, 'POST', '/v1/customers', {
      filter: inLists(10),
    });
    expect(r.status).toBe(200);
    expect(r.body.identifiers).toHaveLength(25);
  });

  it('fails a broadcast whose saved filter is over the limits instead of retrying it forever', async () => {
    // A campaign saved by a release without the bounds: saved with a small filter here, then given
    // the old-style filter in the store, as an upgraded database would hold it.
    const c = await appCall<{ campaign: { id: number } }>(server, 'POST', '/v1/campaigns', {
      name: 'old',
      type: 'broadcast',
      filter: { attribute: { field: 'plan', operator: 'eq', value: 'free' } },
      template: { title: 't', message: 'm' },
    });
    expect(c.status).toBe(200);
    await seed.store.db
      .updateTable('campaigns')
      .set({ filter: JSON.stringify(inLists(40)) })
      .where('id', '=', c.body.campaign.id)
      .execute();
    const t = await appCall<{ id: number }>(
      server,
      'POST',
      `/v1/campaigns/${c.body.campaign.id}/triggers`,
      {},
    );
    expect(t.status).toBe(200);
    const trigger = await waitFor('the trigger to finish', async () => {
      const r = await appCall<{ trigger: { status: string; error: string | null } }>(
        server,
        'GET',
        `/v1/campaigns/${c.body.campaign.id}/triggers/${t.body.id}`,
      );
      return r.body.trigger.status !== 'pending' && r.body.trigger;
    });
    expect(trigger.status).toBe('failed');
    expect(trigger.error).toMatch(/more than 10000 in values/);
  });
});

describe.each(engines())('filter reads bounded in time (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;

  beforeAll(async () => {
    // A budget no real search of thousands of people with 20 event conditions can meet.
    server = await startServer({ engine, env: { ROSTER_QUERY_TIMEOUT_MS: '1' } });
    seed = await seeder(server);
    await seed.people(
      Array.from({ length: 4000 }, (_, i) => ({ id: `t${i}`, attributes: { plan: `p${i % 9}`, n: i } })),
    );
  }, 120_000);

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  const costly = {
    and: [
      ...Array.from({ length: 10 }, (_, i) => ({
        not: { event: { name: `e${i}`, count: { operator: 'gte', value: 2 }, within: '30d' } },
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        not: { attribute: { field: `deep.path${i}.x`, operator: 'contains', value: 'zz' } },
      })),
      // Matches no one, so a search page cannot end early: every person is considered.
      { attribute: { field: 'plan', operator: 'eq', value: 'nobody' } },
    ],
  };

  it('answers 503 naming the budget when a search or count runs past it, and keeps serving', async () => {
    for (const [path, body] of [
      ['/v1/customers', { filter: costly }],
      ['/v1/segments/count', { conditions: costly }],
    ] as const) {
      const r = await appCall<ErrorBody>(server, 'POST', path, body);
      expect(r.status, path).toBe(503);
      expect(r.body.errors?.[0]?.detail, path).toMatch(/ran longer than 1 ms and was stopped/);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
