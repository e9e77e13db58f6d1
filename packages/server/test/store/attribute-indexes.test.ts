import { sql, type RawBuilder } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.js';
import { parseFilter } from '../../src/filter/parse-filter.js';
import { compileFilter, type IndexedAttributes } from '../../src/store/filter/compile-filter.js';
import { openStore } from '../../src/store/open-store.js';
import { attributeIndexName, readyAttributeIndexes } from '../../src/store/people/attribute-indexes.js';
import { searchPeopleQuery } from '../../src/store/people/people-search.js';
import { countMatchingQuery, entriesInsert } from '../../src/store/segments/segment-backfill.js';
import type { Store } from '../../src/store/store.js';
import { AttributeIndexService } from '../../src/services/people/attribute-indexes.js';
import { parseAddAttributeIndex } from '../../src/services/people/attribute-index-input.js';
import { SearchService } from '../../src/services/people/search.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import type { Workspace } from '../../src/store/workspaces/workspace.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';
import { personRow } from './people-rows.js';

/**
 * Indexed attributes (docs/app-api.md "Indexed attributes"): a filter on an indexed attribute
 * answers exactly what it answers without the index, and the planner reads the index for the
 * search page, the count and the segment backfill (docs/scaling.md "Which indexes carry which
 * queries").
 */
const PEOPLE = 6_000;

/** Values chosen to catch every way text and number views can differ between the engines. */
function valueFor(i: number): unknown {
  switch (i % 12) {
    case 0:
      return 'pro';
    case 1:
      return 'free';
    case 2:
      return i % 100; // a number
    case 3:
      return `${i % 100}`; // a numeric string
    case 4:
      return true;
    case 5:
      return null;
    case 6:
      return { nested: 'pro' };
    case 7:
      return ['pro'];
    case 8:
      return 2.5;
    case 9:
      return '-3.25';
    case 10:
      return 'Pro';
    default:
      return undefined; // absent
  }
}

describe.each(engines())('indexed attributes on %s', (engine) => {
  let store: Store;
  let dir: string;
  let database: TestDatabase | undefined;
  let workspace: Workspace;
  let other: Workspace;
  let service: AttributeIndexService;
  /** What `POST /v1/indexed_attributes` does with a body: parse it, then add the index. */
  const add = async (ws: Workspace, body: unknown) => service.add(ws, parseAddAttributeIndex(body));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-attr-ix-'));
    if (engine === 'postgres') database = await createTestDatabase('attrix');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    const workspaces = new WorkspaceService(store, systemClock);
    workspace = (await workspaces.create()).workspace;
    other = (await workspaces.create()).workspace;
    for (const ws of [workspace, other]) {
      for (let i = 0; i < PEOPLE; i += 500) {
        const rows = [];
        for (let j = i; j < Math.min(PEOPLE, i + 500); j++) {
          const attributes: Record<string, unknown> = { score: j % 1000 };
          const v = valueFor(j);
          if (v !== undefined) attributes.plan = v;
          // A rare value: what an index is for.
          if (j === 4321) attributes.plan = 'rare';
          rows.push(personRow(ws.id, { cio_id: `${ws.id}c${j}`, id: `u${j}`, attributes }));
        }
        await store.db.insertInto('people').values(rows).execute();
      }
    }
    if (engine === 'postgres') await sql`analyze`.execute(store.db);
    service = new AttributeIndexService(store, systemClock);
  });

  afterAll(async () => {
    await service?.stop();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  const FILTERS: unknown[] = [
    { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
    { attribute: { field: 'plan', operator: 'eq', value: 'rare' } },
    { attribute: { field: 'plan', operator: 'eq', value: '7' } },
    { attribute: { field: 'plan', operator: 'eq', value: '2.5' } },
    { attribute: { field: 'plan', operator: 'eq', value: 'true' } },
    { attribute: { field: 'plan', operator: 'eq', value: '{"nested":"pro"}' } },
    { attribute: { field: 'plan', operator: 'in', value: ['free', 'Pro', '15'] } },
    { not: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } },
    { attribute: { field: 'plan', operator: 'gt', value: '50' } },
    { attribute: { field: 'plan', operator: 'lte', value: '-3' } },
    { not: { attribute: { field: 'plan', operator: 'lt', value: '10' } } },
    { attribute: { field: 'score', operator: 'gte', value: '990' } },
    {
      and: [
        { attribute: { field: 'score', operator: 'lt', value: '20' } },
        { attribute: { field: 'plan', operator: 'eq', value: 'free' } },
      ],
    },
  ];

  const pidsOf = async (ws: number, filter: unknown, indexes?: IndexedAttributes) => {
    const predicate = compileFilter(parseFilter(filter, '/filter'), store.dialect, {
      now: 1_700_000_000,
      ...(indexes ? { indexes } : {}),
    });
    const rows = await store.boundedRead(
      searchPeopleQuery(store.dialect, ws, predicate, 0, 100_000).compile(store.db),
    );
    return rows.map((r) => Number(r.pid));
  };

  const explain = async (query: RawBuilder<unknown>): Promise<string> => {
    if (store.dialect === 'postgres') {
      const rows = await sql<Record<string, string>>`explain ${query}`.execute(store.db);
      return rows.rows.map((r) => Object.values(r)[0]).join('\n');
    }
    const rows = await sql<{ detail: string }>`explain query plan ${query}`.execute(store.db);
    return rows.rows.map((r) => r.detail).join('\n');
  };

  it('builds the indexes in the background: building, then ready', async () => {
    const text = await add(workspace, { name: 'plan' });
    expect(text).toMatchObject({ name: 'plan', type: 'text' });
    expect(['building', 'ready']).toContain(text.status);
    await add(workspace, { name: 'plan', type: 'number' });
    await add(workspace, { name: 'score', type: 'number' });
    await service.idle();
    const list = await service.list(workspace);
    expect(list.map((r) => [r.name, r.type, r.status, r.error])).toEqual([
      ['plan', 'number', 'ready', null],
      ['plan', 'text', 'ready', null],
      ['score', 'number', 'ready', null],
    ]);
    // Another workspace sees none of them.
    expect(await service.list(other)).toEqual([]);
  });

  it('answers every filter exactly as without the index', async () => {
    const indexes = await readyAttributeIndexes(store.db, workspace.id);
    expect([...indexes.text]).toEqual(['plan']);
    for (const filter of FILTERS) {
      const plain = await pidsOf(workspace.id, filter);
      const indexed = await pidsOf(workspace.id, filter, indexes);
      expect(indexed, JSON.stringify(filter)).toEqual(plain);
      // Objects have no text view (docs/segments.md): that one matches nobody, with or without.
      if (!JSON.stringify(filter).includes('nested'))
        expect(plain.length, JSON.stringify(filter)).toBeGreaterThan(0);
    }
    // The other workspace's people are not matched through this workspace's index.
    const mine = await pidsOf(workspace.id, FILTERS[0], indexes);
    const theirs = await pidsOf(other.id, FILTERS[0]);
    expect(mine.some((p) => theirs.includes(p))).toBe(false);
  });

  it('the search page, the count and the segment backfill read the index', async () => {
    const indexes = await readyAttributeIndexes(store.db, workspace.id);
    const textIx = attributeIndexName(workspace.id, 'plan', 'text');
    const numberIx = attributeIndexName(workspace.id, 'score', 'number');
    const compile = (filter: unknown) =>
      compileFilter(parseFilter(filter, '/filter'), store.dialect, { now: 1_700_000_000, indexes });
    const rare = compile({ attribute: { field: 'plan', operator: 'eq', value: 'rare' } });
    const high = compile({ attribute: { field: 'score', operator: 'gte', value: '995' } });
    const plans = {
      search: await explain(searchPeopleQuery(store.dialect, workspace.id, rare, 0, 51)),
      count: await explain(countMatchingQuery(store.dialect, workspace.id, rare)),
      rangeCount: await explain(countMatchingQuery(store.dialect, workspace.id, high)),
      backfill: await explain(
        entriesInsert(store.dialect, { workspaceId: workspace.id, segmentId: 1, segmentName: 's' }, rare, 1, {
          fresh: true,
        }),
      ),
    };
    // A narrow range's page reads the number index (SearchService chooses this after counting).
    const narrow = await explain(searchPeopleQuery(store.dialect, workspace.id, high, 0, 51, numberIx));
    expect(narrow).toContain(numberIx);
    expect(plans.search).toContain(textIx);
    expect(plans.count).toContain(textIx);
    expect(plans.rangeCount).toContain(numberIx);
    expect(plans.backfill).toContain(textIx);
    // Without the index the same filter scans.
    const unindexed = compileFilter(
      parseFilter({ attribute: { field: 'plan', operator: 'eq', value: 'rare' } }, '/filter'),
      store.dialect,
      { now: 1 },
    );
    expect(await explain(countMatchingQuery(store.dialect, workspace.id, unindexed))).not.toContain(textIx);
  });

  it('the search service pages a narrow range through its index, in pid order, as without it', async () => {
    const search = new SearchService(store);
    for (const value of ['995', '10']) {
      const filter = { attribute: { field: 'score', operator: 'gte', value } };
      const all = await pidsOf(workspace.id, filter);
      const pages: number[] = [];
      let start: string | undefined;
      do {
        const page = await search.search(workspace, { filter }, start, 40);
        pages.push(...page.identifiers.map((p) => Number(p.id!.slice(1))));
        start = page.next || undefined;
      } while (start && pages.length < 200);
      const ids = (
        await store.db
          .selectFrom('people')
          .select(['pid', 'id'])
          .where('pid', 'in', all.slice(0, pages.length))
          .orderBy('pid')
          .execute()
      ).map((r) => Number(r.id!.slice(1)));
      expect(pages, value).toEqual(ids);
    }
  });

  it('refuses bad input with a message naming the problem', async () => {
    await expect(add(workspace, {})).rejects.toThrow(/name is required/);
    await expect(add(workspace, { name: 'email' })).rejects.toThrow(/identifier/);
    await expect(add(workspace, { name: 'x', type: 'date' })).rejects.toThrow(/type must be/);
    await expect(add(workspace, { name: 'a\u0000b' })).rejects.toThrow(/control characters/);
    await expect(service.remove(workspace, 'nothing', undefined)).rejects.toThrow(/no indexed attribute/);
  });

  it('removes an index: the registry row and the index go', async () => {
    await service.remove(workspace, 'plan', 'number');
    expect((await service.list(workspace)).map((r) => `${r.name}:${r.type}`)).toEqual([
      'plan:text',
      'score:number',
    ]);
    const ix = attributeIndexName(workspace.id, 'plan', 'number');
    const left =
      store.dialect === 'postgres'
        ? await sql`select 1 from pg_class where relname = ${ix}`.execute(store.db)
        : await sql`select 1 from sqlite_master where name = ${ix}`.execute(store.db);
    expect(left.rows).toEqual([]);
  });

  it.runIf(engine === 'postgres')('a build that fails says why and leaves no index behind', async () => {
    // jsonb holds numbers float8 cannot: the number view of 1e400 fails to compute, so does the build.
    const ws = (await new WorkspaceService(store, systemClock).create()).workspace;
    await store.db
      .insertInto('people')
      .values(personRow(ws.id, { cio_id: `${ws.id}huge`, id: 'huge', attributes: { big: 1 } }))
      .execute();
    await sql`update people set attributes = '{"big": 1e400}'::jsonb where workspace_id = ${ws.id}`.execute(
      store.db,
    );
    await add(ws, { name: 'big', type: 'number' });
    await service.idle();
    const [row] = await service.list(ws);
    expect(row).toMatchObject({ name: 'big', type: 'number', status: 'failed' });
    expect(row!.error).toMatch(/out of range/);
    const ix = attributeIndexName(ws.id, 'big', 'number');
    expect((await sql`select 1 from pg_class where relname = ${ix}`.execute(store.db)).rows).toEqual([]);
    // Adding it again retries the build.
    expect((await add(ws, { name: 'big', type: 'number' })).status).toBe('building');
    await service.idle();
  });
});
