import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { activitiesOf, openServerStore, personBy, raw, startTrackServer } from './helpers.js';

/**
 * One v2 batch whose items depend on each other (the same person twice, a person found by email
 * who then takes an id, identifiers of two people, refused items between them, a segment the items
 * move people in and out of) leaves the same people, history and memberships, and gets the same
 * answer, on SQLite and on PostgreSQL, whose batch path holds and merges its writes into set-based
 * statements (docs/scaling.md "Set-based writes"). Run against SQLite alone, it still checks the
 * outcome.
 */
const BATCH = [
  { type: 'person', action: 'identify', identifiers: { id: 'be-1' }, attributes: { plan: 'pro', n: 1 } },
  {
    type: 'person',
    action: 'identify',
    identifiers: { id: 'be-1' },
    attributes: { n: 2, q: `it's "x" \\ {NULL}` },
  },
  {
    type: 'person',
    action: 'identify',
    identifiers: { email: 'be2@example.com' },
    attributes: { plan: 'free' },
  },
  // Refused: no identifiers.
  { type: 'person', action: 'identify', identifiers: {}, attributes: { plan: 'pro' } },
  // A new id whose email is the person by email's: that person takes the id (they had none).
  {
    type: 'person',
    action: 'identify',
    identifiers: { id: 'be-2' },
    attributes: { email: 'be2@example.com', plan: 'pro' },
  },
  // An email another person holds: no identifier changes, history says why; the attribute does.
  {
    type: 'person',
    action: 'identify',
    identifiers: { id: 'be-1' },
    attributes: { email: 'be2@example.com', n: 9 },
  },
  // Refused: an unknown action.
  { type: 'person', action: 'levitate', identifiers: { id: 'be-1' } },
  { type: 'person', action: 'identify', identifiers: { id: 'be-1' }, attributes: { plan: 'free', n: 3 } },
  { type: 'person', action: 'identify', identifiers: { id: 'be-3' }, attributes: { plan: 'pro' } },
  { type: 'person', action: 'identify', identifiers: { id: 'be-3' }, attributes: { plan: 'pro', n: 4 } },
];

interface Outcome {
  status: number;
  answer: unknown;
  people: unknown[];
  members: string[];
}

async function outcome(server: ServerProcess, store: Store): Promise<Outcome> {
  const call = raw(server);
  const app = { authorization: `Bearer ${server.credentials.appApiKey}` };
  const seg = await call(
    'POST',
    '/v1/segments',
    { segment: { name: 'pro', conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } } },
    app,
  );
  expect(seg.status).toBe(200);
  const segmentId = (seg.json.segment as { id: number }).id;
  const res = await call('POST', '/api/v2/batch', { batch: BATCH });
  const people = [];
  // cio_ids are drawn at random: each person's is written as who it belongs to.
  const cioIds = new Map<string, string>();
  for (const id of ['be-1', 'be-2', 'be-3']) {
    const p = await personBy(store, 'id', id);
    if (p) cioIds.set(p.cio_id, `cio of ${id}`);
  }
  const named = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v), (_, x: unknown) => (typeof x === 'string' ? (cioIds.get(x) ?? x) : x));
  for (const id of ['be-1', 'be-2', 'be-3']) {
    const p = await personBy(store, 'id', id);
    if (!p) {
      people.push({ id, missing: true });
      continue;
    }
    const history = (await activitiesOf(store, p.pid)).map((a) => ({
      type: a.type,
      name: a.name,
      data: named(a.data),
      // SQLite hands the column back as JSON text, PostgreSQL as an object.
      identifiers: named(
        typeof a.customer_identifiers === 'string'
          ? JSON.parse(a.customer_identifiers)
          : a.customer_identifiers,
      ),
    }));
    people.push({ id: p.id, email: p.email, attributes: p.attributes, history });
  }
  const m = await call('GET', `/v1/segments/${segmentId}/membership?limit=1000`, undefined, app);
  expect(m.status).toBe(200);
  const members = (m.json.identifiers as Array<{ id: string | null }>).map((x) => String(x.id)).sort();
  return { status: res.status, answer: res.json, people, members };
}

describe('a v2 batch with duplicates, merges and refused items', () => {
  const servers: Array<{ server: ServerProcess; store: Store }> = [];
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    for (const engine of engines()) {
      const server = await startTrackServer({ engine });
      const store = await openServerStore(server);
      servers.push({ server, store });
      outcomes.set(engine, await outcome(server, store));
    }
  }, 120_000);
  afterAll(async () => {
    for (const { server, store } of servers) {
      await store.close();
      await server.cleanup();
    }
  });

  it('applies the items in order, each seeing the ones before it, and reports the refused ones', () => {
    const o = outcomes.get('sqlite')!;
    expect(o.status).toBe(207);
    expect((o.answer as { errors: Array<{ batch_index: number }> }).errors.map((e) => e.batch_index)).toEqual(
      [3, 6],
    );
    expect(o.people).toEqual([
      expect.objectContaining({
        id: 'be-1',
        email: null,
        attributes: { plan: 'free', n: 3, q: `it's "x" \\ {NULL}` },
      }),
      expect.objectContaining({ id: 'be-2', email: 'be2@example.com', attributes: { plan: 'pro' } }),
      expect.objectContaining({ id: 'be-3', attributes: { plan: 'pro', n: 4 } }),
    ]);
    const be1 = o.people[0] as { history: Array<{ type: string; data: unknown }> };
    expect(be1.history.filter((h) => h.type === 'failed_attribute_change')).toHaveLength(1);
    expect(o.members).toEqual(['be-2', 'be-3']);
  });

  it.runIf(engines().includes('postgres'))(
    'gives the same people, history, memberships and answer on PostgreSQL',
    () => {
      expect(outcomes.get('postgres')).toEqual(outcomes.get('sqlite'));
    },
  );
});
