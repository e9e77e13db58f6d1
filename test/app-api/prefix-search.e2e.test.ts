import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixPageQuery, prefixRange } from '../../packages/server/src/store/people/people-prefix.js';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from './helpers/seed.js';

type Page = {
  identifiers: Array<{ id: string | null; email: string | null; cio_id: string }>;
  ids: string[];
  next: string;
  count: number;
  count_capped: boolean;
};

/**
 * `GET /v1/customers/search?q=`: the dashboard's search box. Prefix on id (case-sensitive) and
 * email (case-insensitive), exact cio_id, a count, pages that never repeat or skip anyone, and
 * index range scans on both engines (never a scan of the workspace's people).
 */
describe.each(engines())('GET /v1/customers/search (%s)', (engine) => {
  let server: ServerProcess;
  let seed: Seeder;
  let annCio: string;

  async function search(query: string): Promise<{ status: number; body: Page & { errors?: unknown[] } }> {
    const res = await fetch(`${server.appUrl}/customers/search${query}`, {
      headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
    });
    return { status: res.status, body: (await res.json()) as Page };
  }

  /** Every page of a query, following `next`. */
  async function all(q: string, limit: number): Promise<string[]> {
    const out: string[] = [];
    let start = '';
    for (let i = 0; i < 100; i++) {
      const r = await search(`?q=${encodeURIComponent(q)}&limit=${limit}&start=${encodeURIComponent(start)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      out.push(...r.body.identifiers.map((p) => p.id ?? p.email ?? p.cio_id));
      if (!r.body.next) return out;
      start = r.body.next;
    }
    throw new Error('pages never ended');
  }

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'warn' } });
    seed = await seeder(server);
    annCio = (await seed.person({ id: 'ann', email: 'ann@example.com' })).cio_id;
    await seed.person({ id: `${annCio}-twin`, email: null });
    await seed.people([
      { id: 'anna', email: 'anna@example.com' },
      { id: 'Annie', email: 'annie@example.com' }, // id does not start with "ann"; email does
      { id: 'u-17', email: 'Annabel@Example.com' }, // email only, stored mixed-case
      { id: null, email: 'ann.b@example.com' }, // no id
      { id: 'annex', email: null }, // no email
      { id: 'bob', email: 'bob@example.com' },
      { id: 'an', email: 'an@example.com' }, // shorter than the prefix
      { id: 'anñ', email: 'x1@example.com' }, // a non-ASCII neighbour of "ann"
      { id: 'ann\u{10FFFF}x', email: 'x2@example.com' },
    ]);
    // Enough people to need the count cap, none of them matching "ann".
    await seed.people(
      Array.from({ length: 10_050 }, (_, i) => ({ id: `z${String(i).padStart(5, '0')}`, email: null })),
    );
  }, 120_000);

  afterAll(async () => {
    await seed?.close();
    await server?.cleanup();
  });

  it('finds ids by prefix (case-sensitive) and emails by prefix (any case), each person once, with a count', async () => {
    const r = await search('?q=ann');
    expect(r.status).toBe(200);
    const who = r.body.identifiers.map((p) => `${p.id ?? '-'}|${p.email ?? '-'}`);
    // Alphabetical by the identifier that matched: ids (ann, anna, annex, ann\u{10FFFF}x) and the
    // emails of people whose id does not match (ann.b@, annabel@, annie@), merged. "anñ" sorts
    // after every "ann…" and "Annie" before, so neither id matches.
    expect(who).toEqual([
      'ann|ann@example.com',
      '-|ann.b@example.com',
      'anna|anna@example.com',
      'u-17|Annabel@Example.com',
      'annex|-',
      'Annie|annie@example.com',
      'ann\u{10FFFF}x|x2@example.com',
    ]);
    expect(r.body.ids).toEqual(['ann', '', 'anna', 'u-17', 'annex', 'Annie', 'ann\u{10FFFF}x']);
    expect(r.body).toMatchObject({ count: 7, count_capped: false, next: '' });

    const upper = await search('?q=ANN');
    // No id starts with "ANN"; emails match in any case ("." sorts before "@").
    expect(upper.body.identifiers.map((p) => p.email)).toEqual([
      'ann.b@example.com',
      'ann@example.com',
      'anna@example.com',
      'Annabel@Example.com',
      'annie@example.com',
    ]);
    expect(upper.body.count).toBe(5);
  });

  it('pages through the matches without repeating or skipping anyone', async () => {
    const whole = (await search('?q=an&limit=100')).body;
    expect(whole.count).toBe(whole.identifiers.length);
    const names = whole.identifiers.map((p) => p.id ?? p.email ?? p.cio_id);
    for (const limit of [1, 2, 3]) expect(await all('an', limit)).toEqual(names);
  });

  it('puts the person whose cio_id is q first, also with a cio_ prefix', async () => {
    for (const q of [annCio, `cio_${annCio}`]) {
      const r = await search(`?q=${q}`);
      expect(r.body.identifiers[0]).toEqual({ id: 'ann', email: 'ann@example.com', cio_id: annCio });
      expect(r.body.count).toBeGreaterThanOrEqual(1);
    }
    // A first page of one holding only the exact match still leads to the rest (the twin's id
    // starts with ann's cio_id).
    const first = await search(`?q=${annCio}&limit=1`);
    expect(first.body.ids).toEqual(['ann']);
    expect(first.body.count).toBe(2);
    expect(await all(annCio, 1)).toEqual(['ann', `${annCio}-twin`]);
  });

  it('caps the count at 10,000 and says so', async () => {
    const r = await search('?q=z&limit=5');
    expect(r.body).toMatchObject({ count: 10_000, count_capped: true });
    expect(r.body.ids).toEqual(['z00000', 'z00001', 'z00002', 'z00003', 'z00004']);
  });

  it('answers bad input with a 400 naming the parameter', async () => {
    const missing = await search('');
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('q is required');
    const blank = await search('?q=%20%20');
    expect(blank.status).toBe(400);
    const start = await search('?q=ann&start=bm90LWEtY3Vyc29y');
    expect(start.status).toBe(400);
    expect(JSON.stringify(start.body)).toContain('start');
    const long = await search(`?q=${'a'.repeat(600)}`);
    expect(long.status).toBe(400);
  });

  it('reads the identifier indexes: a range scan in key order, no scan and no sort', async () => {
    const plan = async (column: 'id' | 'email_norm'): Promise<string> => {
      const q = prefixPageQuery(
        engine,
        {
          workspaceId: seed.workspaceId,
          column,
          range: prefixRange('ann'),
          ...(column === 'email_norm' ? { excludeIdRange: prefixRange('ann') } : {}),
        },
        51,
      );
      if (engine === 'sqlite') {
        const r = await sql<{ detail: string }>`explain query plan ${q}`.execute(seed.store.db);
        return r.rows.map((x) => x.detail).join('\n');
      }
      return seed.store.transaction(async (trx) => {
        // With a few thousand rows the planner may rightly prefer a scan; forbid it to see what the
        // query *can* use. A query that cannot use an index would still scan.
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_bitmapscan = off`.execute(trx);
        const r = await sql<{ 'QUERY PLAN': string }>`explain ${q}`.execute(trx);
        return r.rows.map((x) => x['QUERY PLAN']).join('\n');
      });
    };
    const byId = await plan('id');
    const byEmail = await plan('email_norm');
    if (engine === 'sqlite') {
      expect(byId).toMatch(
        /SEARCH p USING (COVERING )?INDEX people_ws_id \(workspace_id=\? AND id>\? AND id<\?\)/,
      );
      expect(byEmail).toMatch(
        /SEARCH p USING (COVERING )?INDEX people_ws_email \(workspace_id=\? AND email_norm>\? AND email_norm<\?\)/,
      );
      expect(`${byId}\n${byEmail}`).not.toMatch(/TEMP B-TREE|SCAN p/);
    } else {
      expect(byId).toMatch(/Index Scan using people_ws_id_c/);
      expect(byEmail).toMatch(/Index Scan using people_ws_email_c/);
      expect(`${byId}\n${byEmail}`).not.toMatch(/Seq Scan|Sort/);
    }
  });
});
