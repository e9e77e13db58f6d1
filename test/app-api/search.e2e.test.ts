import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder, type SeedPerson } from './helpers/seed.js';

/** A reference evaluator over the seeded people, to check the SQL against. */
type F =
  | { and: F[] }
  | { or: F[] }
  | { not: F }
  | { segment: { id: number } }
  | { attribute: { field: string; operator: 'eq' | 'exists'; value?: unknown; inverse?: boolean } };

interface Person extends SeedPerson {
  segments: Set<number>;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function matches(p: Person, f: F): boolean {
  if ('and' in f) return f.and.every((c) => matches(p, c));
  if ('or' in f) return f.or.some((c) => matches(p, c));
  if ('not' in f) return !matches(p, f.not);
  if ('segment' in f) return p.segments.has(f.segment.id);
  const { field, operator, value, inverse } = f.attribute;
  const actual = field === 'id' ? p.id : field === 'email' ? p.email : text(p.attributes?.[field]);
  let r: boolean;
  if (operator === 'exists') r = actual !== undefined && actual !== null;
  else if (field === 'email') r = !!actual && actual.toLowerCase() === String(value).toLowerCase();
  else r = actual === text(value);
  return inverse ? !r : r;
}

const N = 3000;

describe.each(engines())('POST /v1/customers search (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;
  let api: APIClient;
  let people: Person[];
  let seg: number;

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'info' } });
    seed = await seeder(server);
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    people = Array.from({ length: N }, (_, i) => {
      const attributes: Record<string, unknown> = {
        plan: ['free', 'pro', 'team'][i % 3],
        country: `c${i % 5}`,
        score: i % 11,
        vip: i % 4 === 0,
      };
      if (i % 6 === 0) attributes.beta = 'yes';
      if (i % 13 === 0) attributes['dotted.name'] = 'x';
      return {
        id: i % 10 === 9 ? null : `p${i}`,
        email: i % 8 === 3 ? null : `Person${i}@Example.com`,
        attributes,
        segments: new Set<number>(),
      };
    });
    await seed.people(people);
    seg = await seed.segment('Every seventh');
    const rows = await seed.store.db
      .selectFrom('people')
      .select(['pid', 'cio_id'])
      .where('workspace_id', '=', seed.workspaceId)
      .orderBy('pid')
      .execute();
    rows.forEach((r, i) => Object.assign(people[i]!, { cio_id: r.cio_id, pid: Number(r.pid) }));
    const members = rows.filter((_, i) => i % 7 === 0).map((r) => Number(r.pid));
    await seed.members(seg, members);
    people.forEach((p, i) => i % 7 === 0 && p.segments.add(seg));
  }, 120_000);

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  async function all(
    filter: F,
    limit = 1000,
  ): Promise<{ ids: string[]; emails: Array<string | null>; pages: number }> {
    const ids: string[] = [];
    const emails: Array<string | null> = [];
    let start: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (await api.searchCustomers(filter as never, { start, limit })) as {
        identifiers: Array<{ id: string | null; email: string | null; cio_id: string }>;
        ids: string[];
        next: string;
      };
      pages++;
      expect(page.ids).toEqual(page.identifiers.map((x) => x.id ?? ''));
      ids.push(...page.ids);
      emails.push(...page.identifiers.map((x) => x.email));
      if (!page.next) {
        expect(page.next).toBe('');
        break;
      }
      start = page.next;
      if (pages > 100) throw new Error('runaway pagination');
    }
    return { ids, emails, pages };
  }

  const expected = (f: F) => people.filter((p) => matches(p, f)).map((p) => p.id ?? '');

  it('walks every page to the end, without gaps or repeats', async () => {
    const f: F = { attribute: { field: 'country', operator: 'exists' } };
    const { ids, emails, pages } = await all(f, 700);
    expect(pages).toBe(Math.ceil(N / 700));
    expect(ids).toEqual(expected(f));
    expect(new Set(emails.filter(Boolean)).size).toBe(emails.filter(Boolean).length);
  });

  const cases: Array<[string, F]> = [
    ['eq on a string', { attribute: { field: 'plan', operator: 'eq', value: 'pro' } }],
    ['eq on a number, given as a number', { attribute: { field: 'score', operator: 'eq', value: 10 } }],
    ['eq on a number, given as text', { attribute: { field: 'score', operator: 'eq', value: '3' } }],
    ['eq on a boolean', { attribute: { field: 'vip', operator: 'eq', value: true } }],
    ['eq on false', { attribute: { field: 'vip', operator: 'eq', value: 'false' } }],
    ['exists', { attribute: { field: 'beta', operator: 'exists' } }],
    ['inverse exists', { attribute: { field: 'beta', operator: 'exists', inverse: true } }],
    ['inverse eq', { attribute: { field: 'plan', operator: 'eq', value: 'free', inverse: true } }],
    ['a name with a dot', { attribute: { field: 'dotted.name', operator: 'eq', value: 'x' } }],
    [
      'identifiers',
      {
        or: [
          { attribute: { field: 'id', operator: 'eq', value: 'p42' } },
          { attribute: { field: 'email', operator: 'eq', value: 'PERSON43@example.COM' } },
        ],
      },
    ],
    ['id exists', { not: { attribute: { field: 'id', operator: 'exists' } } }],
    ['segment', { segment: { id: -1 } }],
    [
      'and / or / not nested four levels',
      {
        and: [
          {
            or: [
              { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
              {
                and: [
                  { attribute: { field: 'country', operator: 'eq', value: 'c1' } },
                  { not: { attribute: { field: 'beta', operator: 'exists' } } },
                ],
              },
            ],
          },
          {
            not: {
              or: [
                { segment: { id: -1 } },
                { attribute: { field: 'email', operator: 'exists', inverse: true } },
                {
                  and: [
                    { attribute: { field: 'vip', operator: 'eq', value: true } },
                    { not: { attribute: { field: 'score', operator: 'eq', value: 0 } } },
                  ],
                },
              ],
            },
          },
        ],
      },
    ],
  ];

  it.each(cases)('%s', async (_name, f) => {
    const withSeg = JSON.parse(JSON.stringify(f).replaceAll('"id":-1', `"id":${seg}`)) as F;
    const want = expected(withSeg);
    expect(want.length).toBeGreaterThan(0);
    expect((await all(withSeg)).ids).toEqual(want);
  });

  it('uses 50 by default and clamps the limit to 1000', async () => {
    const f = { attribute: { field: 'country', operator: 'exists' } } as const;
    const first = (await api.searchCustomers(f as never)) as { ids: string[]; next: string };
    expect(first.ids).toHaveLength(50);
    expect(first.next).not.toBe('');
    const big = (await api.searchCustomers(f as never, { limit: 5000 })) as { ids: string[] };
    expect(big.ids).toHaveLength(1000);
  });

  const raw = (body: unknown, query = '') =>
    fetch(`${server.appUrl}/customers${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.credentials.appApiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  it.each([
    [{}, '/filter'],
    [{ filter: null }, '/filter'],
    [{ filter: [] }, '/filter'],
    [{ filter: { and: [], or: [] } }, '/filter'],
    [{ filter: { and: [] } }, '/filter/and'],
    [{ filter: { not: [] } }, '/filter/not'],
    [{ filter: { and: [{ segment: { id: 1 } }, { bogus: 1 }] } }, '/filter/and/1/bogus'],
    [{ filter: { or: [{ attribute: { field: 'plan', operator: 'eq' } }] } }, '/filter/or/0/attribute/value'],
    [
      { filter: { attribute: { field: 'plan', operator: 'between', value: 1 } } },
      '/filter/attribute/operator',
    ],
    [{ filter: { attribute: { operator: 'exists' } } }, '/filter/attribute/field'],
    [{ filter: { attribute: { field: 'a', operator: 'eq', value: { x: 1 } } } }, '/filter/attribute/value'],
    [{ filter: { not: { and: [{ segment: { id: 987654 } }] } } }, '/filter/not/and/0/segment/id'],
    [{ filter: { segment: { id: 'x' } } }, '/filter/segment/id'],
  ])('400s %j pointing at %s', async (body, pointer) => {
    const res = await raw(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as {
      errors: Array<{ status: string; detail: string; source: { pointer: string } }>;
    };
    expect(json.errors[0]).toMatchObject({ status: '400', source: { pointer } });
    // A missing filter is refused by the route's schema; a wrong one by the filter parser.
    expect(json.errors[0]!.detail).toMatch(
      JSON.stringify(body) === '{}' ? /^filter is required/ : /^invalid filter/,
    );
  });

  it('400s a bad limit or page token', async () => {
    const body = { filter: { segment: { id: seg } } };
    expect((await raw(body, '?limit=abc')).status).toBe(400);
    expect((await raw(body, '?limit=0')).status).toBe(400);
    expect((await raw(body, '?start=bm9wZQ==')).status).toBe(400);
  });

  it('refuses filters nested absurdly deep', async () => {
    let f: F = { segment: { id: seg } };
    for (let i = 0; i < 100; i++) f = { not: f };
    expect((await raw({ filter: f })).status).toBe(400);
  });
});
