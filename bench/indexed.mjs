#!/usr/bin/env node
/**
 * Indexed attributes at scale (docs/app-api.md "Indexed attributes", docs/scaling.md): on
 * `BENCH_INDEXED_PEOPLE` (1,000,000) people bulk-inserted with SQL, on SQLite and on PostgreSQL
 * when reachable:
 *
 * - point lookups by id and by email (identifier indexes) through the search service;
 * - a rare `eq` (100 people) and a narrow range (0.1 %): the first page (50) through the search
 *   service and the count through the segments' count, first without an index — the ceiling, a
 *   scan of every person's JSON — then with the attribute indexed (target < 50 ms each);
 * - the index builds: how long each took, the longest an identify-sized write waited meanwhile
 *   (SQLite: writes queue while the build holds the one writer; PostgreSQL: CREATE INDEX
 *   CONCURRENTLY lets them through) and the event loop's longest stall (off-thread on SQLite);
 * - a new dynamic segment's backfill on the rare value, indexed.
 *
 * Usage: `npm run build && node bench/indexed.mjs`; `BENCH_INDEXED_PEOPLE=200000` for a quicker
 * look. Exports `run()` returning `{name, value, unit, ceiling?, ratio?}` rows.
 */
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { createPgDatabase, table } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = (p) => pathToFileURL(path.join(here, '../packages/server/dist', p)).href;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn, runs) {
  await fn(); // warm the caches
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

/** Bulk people in one statement per 100,000: ids, emails, a rare `tag`, a `score`, a common `plan`. */
async function seed(store, sql, workspaceId, n) {
  const pg = store.dialect === 'postgres';
  for (let from = 1; from <= n; from += 100_000) {
    const to = Math.min(n, from + 99_999);
    if (pg)
      await sql`insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
        select ${workspaceId}::bigint, lpad(to_hex(i), 16, '0'), 'user-' || i, 'user' || i || '@example.com', 'user' || i || '@example.com',
          jsonb_build_object('plan', (array['free','pro','team','enterprise'])[1 + i % 4], 'tag', 't' || (i % 10000),
            'score', i % 10000, 'country', 'c' || (i % 50), 'first_name', 'Person ' || i, 'signed_up', 1700000000 + i),
          '{}'::jsonb, 0, 1700000000, 1700000000
        from generate_series(${from}::bigint, ${to}::bigint) as i`.execute(store.db);
    else
      await store.transaction((trx) =>
        sql`with recursive s(i) as (select cast(${from} as integer) union all select i + 1 from s where i < ${to})
        insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
        select ${workspaceId}, printf('%016x', i), 'user-' || i, 'user' || i || '@example.com', 'user' || i || '@example.com',
          json_object('plan', case i % 4 when 0 then 'free' when 1 then 'pro' when 2 then 'team' else 'enterprise' end,
            'tag', 't' || (i % 10000), 'score', i % 10000, 'country', 'c' || (i % 50), 'first_name', 'Person ' || i,
            'signed_up', 1700000000 + i),
          '{}', 0, 1700000000, 1700000000 from s`.execute(trx),
      );
  }
  // One history row per person, so the activity queries' plans are read at scale too.
  const id = pg ? sql`lpad(p.pid::text, 26, '0')` : sql`printf('%026d', p.pid)`;
  const ids = pg
    ? sql`jsonb_build_object('id', p.id, 'email', p.email, 'cio_id', p.cio_id)`
    : sql`json_object('id', p.id, 'email', p.email, 'cio_id', p.cio_id)`;
  await store.transaction((trx) =>
    sql`insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, delivery_id, delivery_type, timestamp, deleted)
      select ${id}, p.workspace_id, p.pid, ${ids}, 'attribute_change', 'plan', ${pg ? sql`'{}'::jsonb` : sql`'{}'`}, 'track', null, null, p.created_at, 0
      from people as p where p.workspace_id = ${workspaceId}`.execute(trx),
  );
  // Steady state: autovacuum would have set the visibility map by now (index-only scans need it).
  if (pg) await sql`vacuum analyze`.execute(store.db);
}

/** The plans of the queries docs/scaling.md shows ("Which indexes carry which queries"). */
async function plans(store, sql, workspaceId, compiled) {
  const { CompiledQuery } = await import('kysely');
  const out = [];
  for (const [label, q] of compiled) {
    // BENCH_INDEXED_EXPLAIN=analyze: PostgreSQL runs each query and shows where its time went.
    // (Inserts are shown unrun: the plan of the segment backfill names a segment that does not exist.)
    const analyze =
      process.env.BENCH_INDEXED_EXPLAIN === 'analyze' && !/^\s*insert/i.test(q.sql)
        ? '(analyze, buffers) '
        : '';
    const text = store.dialect === 'postgres' ? `explain ${analyze}${q.sql}` : `explain query plan ${q.sql}`;
    const r = await store.db.executeQuery(CompiledQuery.raw(text, q.parameters));
    const lines = r.rows.map((row) => (store.dialect === 'postgres' ? Object.values(row)[0] : row.detail));
    out.push(`-- ${label}\n${lines.join('\n')}`);
  }
  return out.join('\n\n');
}

function dirBytes(dir) {
  let total = 0;
  for (const f of readdirSync(dir)) total += statSync(path.join(dir, f)).size;
  return total;
}

async function runEngine(engine, n) {
  const { openStore } = await import(dist('store/open-store.js'));
  const { SearchService } = await import(dist('services/people/search.js'));
  const { SegmentDefinitions } = await import(dist('services/segments/definitions.js'));
  const { SegmentsService } = await import(dist('services/segments/segments-service.js'));
  const { PeopleReadService } = await import(dist('services/people/people-read.js'));
  const { AttributeIndexService } = await import(dist('services/people/attribute-indexes.js'));
  const { WorkspaceService } = await import(dist('services/workspaces.js'));
  const { systemClock } = await import(dist('lib/clock.js'));
  const { sql } = await import('kysely');
  const database = engine === 'postgres' ? await createPgDatabase() : undefined;
  if (engine === 'postgres' && !database) return [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-indexed-'));
  const store = await openStore({ databaseUrl: database?.url, dataDir, queryBudgetMs: 600_000 });
  const rows = [];
  const row = (r) => rows.push({ ...r, name: `[${engine}] ${r.name}` });
  try {
    const { workspace } = await new WorkspaceService(store, systemClock).create();
    let t = performance.now();
    await seed(store, sql, workspace.id, n);
    const seedSeconds = (performance.now() - t) / 1000;
    row({
      name: `bulk insert ${n.toLocaleString('en')} people (SQL, setup)`,
      value: seedSeconds,
      unit: 's',
      notes:
        engine === 'sqlite'
          ? `${Math.round(dirBytes(dataDir) / n)} bytes/person on disk before any attribute index`
          : '',
    });

    const search = new SearchService(store);
    const definitions = new SegmentDefinitions(store, systemClock);
    const indexes = new AttributeIndexService(store, systemClock);
    const page = (filter) => search.search(workspace, { filter }, undefined, 50);
    const count = (filter) => definitions.count(workspace.id, filter, '/conditions');
    const rare = { attribute: { field: 'tag', operator: 'eq', value: 't1234' } };
    const range = { attribute: { field: 'score', operator: 'gte', value: '9990' } };
    const wide = { attribute: { field: 'score', operator: 'gte', value: '5000' } };
    const expectRare = Math.floor(n / 10000) + (n % 10000 >= 1234 ? 1 : 0);

    for (const [label, filter] of [
      ['by id', { attribute: { field: 'id', operator: 'eq', value: 'user-77777' } }],
      ['by email', { attribute: { field: 'email', operator: 'eq', value: 'USER77777@example.com' } }],
    ]) {
      const ms = await time(() => page(filter), 15);
      row({ name: `point lookup ${label} (search service)`, value: ms, unit: 'ms', target: '≤ 2 ms' });
    }

    // Unindexed: every person's JSON is read. Fewer runs: each is a full scan.
    const scan = {};
    for (const [label, filter] of [
      ['eq (100 people)', rare],
      ['range gte (0.1 %)', range],
      ['range gte (50 %)', wide],
    ]) {
      let found = 0;
      scan[`page ${label}`] = await time(async () => {
        found = (await page(filter)).ids.length;
      }, 2);
      scan[`count ${label}`] = await time(async () => {
        found = await count(filter);
      }, 2);
      if (label.startsWith('eq') && found !== expectRare)
        throw new Error(`rare count ${found} ≠ ${expectRare}`);
    }

    // The builds, with an identify-sized write every 20 ms and the event loop's longest stall.
    let maxWriteMs = 0;
    let maxLagMs = 0;
    let writes = 0;
    let building = true;
    const writer = (async () => {
      for (let i = 0; building; i++) {
        const s = performance.now();
        await store.transaction((trx) =>
          sql`update people set updated_at = updated_at + 1 where workspace_id = ${workspace.id} and pid = ${1 + (i % 1000)}`.execute(
            trx,
          ),
        );
        maxWriteMs = Math.max(maxWriteMs, performance.now() - s);
        writes++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let last = performance.now();
    const lag = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 10);
      last = now;
    }, 10);
    const builds = [];
    for (const [name, type] of [
      ['tag', 'text'],
      ['score', 'number'],
    ]) {
      t = performance.now();
      await indexes.add(workspace, { name, kind: type });
      await indexes.idle();
      builds.push({ name, type, ms: performance.now() - t });
    }
    building = false;
    await writer;
    clearInterval(lag);
    const state = await indexes.list(workspace);
    if (state.some((s) => s.status !== 'ready')) throw new Error(`builds: ${JSON.stringify(state)}`);
    for (const b of builds)
      row({
        name: `build the ${b.type} index on ${b.name}`,
        value: b.ms / 1000,
        unit: 's',
        notes: 'machine loaded (8 engineers on 2 cores)',
      });
    row({
      name: 'longest write during the builds',
      value: maxWriteMs,
      unit: 'ms',
      notes:
        engine === 'sqlite'
          ? `${writes} writes; SQLite has one writer: a write waits for the build that holds it`
          : `${writes} writes; CREATE INDEX CONCURRENTLY does not block them`,
    });
    row({
      name: 'longest event-loop stall during the builds',
      value: maxLagMs,
      unit: 'ms',
      notes: engine === 'sqlite' ? 'the build runs on a worker thread' : '',
    });
    if (engine === 'sqlite')
      row({
        name: 'bytes per person on disk with both indexes',
        value: dirBytes(dataDir) / n,
        unit: 'B',
      });

    for (const [label, filter] of [
      ['eq (100 people)', rare],
      ['range gte (0.1 %)', range],
      ['range gte (50 %)', wide],
    ]) {
      const p = await time(() => page(filter), 7);
      row({
        name: `indexed ${label}: first page of 50`,
        value: p,
        unit: 'ms',
        ceiling: scan[`page ${label}`],
        ratio: p / scan[`page ${label}`],
        target: '< 50 ms',
        notes: 'ceiling: the same page unindexed',
      });
      let found = 0;
      const c = await time(async () => {
        found = await count(filter);
      }, 7);
      row({
        name: `indexed ${label}: count`,
        value: c,
        unit: 'ms',
        ceiling: scan[`count ${label}`],
        ratio: c / scan[`count ${label}`],
        target: '< 50 ms',
        notes: `${found} people; ceiling: the same count unindexed`,
      });
    }

    if (process.env.BENCH_INDEXED_EXPLAIN) {
      const { compileFilter } = await import(dist('store/filter/compile-filter.js'));
      const { activitiesQuery } = await import(dist('store/activities/activities-read.js'));
      const { parseFilter } = await import(dist('filter/parse-filter.js'));
      const { attributeIndexName, readyAttributeIndexes } = await import(
        dist('store/people/attribute-indexes.js')
      );
      const { searchPeopleQuery } = await import(dist('store/people/people-search.js'));
      const { countMatchingQuery, entriesInsert } = await import(dist('store/segments/segment-backfill.js'));
      const ready = await readyAttributeIndexes(store.db, workspace.id);
      const c = (f, indexes) =>
        compileFilter(parseFilter(f, '/filter'), store.dialect, {
          now: 1_700_000_000,
          ...(indexes ? { indexes } : {}),
        });
      const d = store.dialect;
      const ws = workspace.id;
      const text = await plans(store, sql, ws, [
        [
          'search, first page: tag eq (indexed)',
          searchPeopleQuery(d, ws, c(rare, ready), 0, 51).compile(store.db),
        ],
        [
          'search, first page: tag eq (not indexed)',
          searchPeopleQuery(d, ws, c(rare), 0, 51).compile(store.db),
        ],
        [
          'search, first page: score >= 9990 through its index (a narrow range)',
          searchPeopleQuery(d, ws, c(range, ready), 0, 51, attributeIndexName(ws, 'score', 'number')).compile(
            store.db,
          ),
        ],
        ['count: tag eq (indexed)', countMatchingQuery(d, ws, c(rare, ready)).compile(store.db)],
        ['count: score >= 9990 (indexed)', countMatchingQuery(d, ws, c(range, ready)).compile(store.db)],
        [
          'segment backfill of a new segment: tag eq (indexed)',
          entriesInsert(d, { workspaceId: ws, segmentId: 1, segmentName: 's' }, c(rare, ready), 1, {
            fresh: true,
          }).compile(store.db),
        ],
        [
          'segment membership page',
          store.db
            .selectFrom('segment_memberships as sm')
            .innerJoin('people as p', 'p.pid', 'sm.person_pid')
            .select(['p.pid', 'p.id', 'p.email', 'p.cio_id'])
            .where('sm.segment_id', '=', 1)
            .where('sm.person_pid', '>', 0)
            .orderBy('sm.person_pid')
            .limit(1000)
            .compile(),
        ],
        [
          "a person's activities, newest first",
          activitiesQuery(store.db, d, {
            workspaceId: ws,
            personPid: 77777,
            deleted: false,
            limit: 11,
          }).compile(),
        ],
        [
          "the workspace's activities, newest first",
          activitiesQuery(store.db, d, { workspaceId: ws, deleted: false, limit: 11 }).compile(),
        ],
        [
          'point lookup by id (search, first page)',
          searchPeopleQuery(
            d,
            ws,
            c({ attribute: { field: 'id', operator: 'eq', value: 'user-77777' } }),
            0,
            51,
          ).compile(store.db),
        ],
        [
          'point lookup by email',
          store.db
            .selectFrom('people')
            .selectAll()
            .where('workspace_id', '=', ws)
            .where('email_norm', '=', 'user77777@example.com')
            .compile(),
        ],
      ]);
      process.stderr.write(`\n===== ${engine} plans at ${n} people =====\n${text}\n`);
    }

    // A new dynamic segment on the rare value: its backfill reads the index.
    const segments = new SegmentsService(store, systemClock, new PeopleReadService(store));
    t = performance.now();
    await segments.create(workspace, { name: 'rare tag', conditions: rare });
    row({
      name: 'new segment on an indexed eq (100 people): create + backfill',
      value: performance.now() - t,
      unit: 'ms',
      target: '< 50 ms',
    });
    return rows;
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}

export async function run(options = {}) {
  const n = Number(options.people ?? process.env.BENCH_INDEXED_PEOPLE ?? 1_000_000);
  // SQLite's read thread is unref'd (a server's sockets keep it alive): this keeps the bench alive.
  const alive = setInterval(() => {}, 60_000);
  try {
    // BENCH_INDEXED_ENGINES=postgres (or sqlite) runs one engine only.
    const engines = (process.env.BENCH_INDEXED_ENGINES ?? 'sqlite,postgres').split(',');
    const rows = [];
    for (const engine of ['sqlite', 'postgres'])
      if (engines.includes(engine)) rows.push(...(await runEngine(engine, n)));
    return rows;
  } finally {
    clearInterval(alive);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(table(await run()));
}
