#!/usr/bin/env node
/**
 * Search cost on 100,000 people: `POST /v1/customers` filters, compiled to SQL by Roster's filter
 * compiler and run through SearchService, against a hand-written SQL query for the same filter in
 * the same run and store. The ratio (service / hand-written) is what matters; the ceiling says how
 * much overhead the compiler may add (parsing, JSON text coercion, keyset paging).
 *
 * Usage: `npm run build && node bench/search.mjs` (SQLite in a temp dir), or with
 * `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (the database must be empty). `BENCH_PEOPLE`
 * changes the population. Exports `run()` returning `{name, value, unit, ceiling?, ratio?}` rows.
 */
import { table } from './lib.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = (p) => pathToFileURL(path.join(here, '../packages/server/dist', p)).href;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn, runs = 7) {
  await fn(); // warm the page cache and statement cache
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(out);
}

export async function run(options = {}) {
  const { openStore } = await import(dist('store/open-store.js'));
  const { SearchService } = await import(dist('services/people/search.js'));
  const { insertSegment } = await import(dist('store/segments/segments-read.js'));
  const { sql } = await import('kysely');
  const n = Number(options.people ?? process.env.BENCH_PEOPLE ?? 100_000);
  const databaseUrl = options.databaseUrl ?? process.env.BENCH_DATABASE_URL;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-search-'));
  const store = await openStore({ databaseUrl, dataDir });
  const rows = [];
  try {
    const now = 1_700_000_000;
    const ws = await store.db
      .insertInto('workspaces')
      .values({
        site_id: `bench${randomBytes(6).toString('hex')}`,
        name: 'bench',
        track_key_hash: randomBytes(32).toString('hex'),
        app_key_hash: randomBytes(32).toString('hex'),
        identifier_mode: 'email_or_id',
        settings: '{}',
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const workspaceId = Number(ws.id);
    const workspace = { id: workspaceId, identifierMode: 'email_or_id', settings: { appApiRateLimit: 0 } };

    let t = process.hrtime.bigint();
    const plans = ['free', 'pro', 'team', 'enterprise'];
    for (let i = 0; i < n; i += 1000) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 1000); j++) {
        const attributes = { plan: plans[j % 4], country: `c${j % 50}`, score: j % 100 };
        if (j % 3 === 0) attributes.beta = true;
        batch.push({
          workspace_id: workspaceId,
          cio_id: randomBytes(8).toString('hex'),
          id: `user-${j}`,
          email: `user${j}@example.com`,
          email_norm: `user${j}@example.com`,
          attributes: JSON.stringify(attributes),
          attr_ts: '{}',
          unsubscribed: j % 20 === 0 ? 1 : 0,
          created_at: now,
          updated_at: now,
        });
      }
      await store.db.insertInto('people').values(batch).execute();
    }
    const seg = await insertSegment(store.db, { workspaceId, name: 's', description: '', now });
    const segmentId = Number(seg.id);
    await sql`insert into segment_memberships (workspace_id, segment_id, person_pid, entered_at)
      select ${workspaceId}, ${segmentId}, pid, ${now} from people where workspace_id = ${workspaceId} and pid % 10 = 0`.execute(
      store.db,
    );
    if (store.dialect === 'postgres') await sql`analyze`.execute(store.db);
    rows.push({ name: `seed ${n} people`, value: Number(process.hrtime.bigint() - t) / 1e9, unit: 's' });

    const search = new SearchService(store);
    const attr = (key) =>
      store.dialect === 'postgres'
        ? sql.raw(`(attributes ->> '${key}')`)
        : sql.raw(`json_extract(attributes, '$.${key}')`);
    const cases = [
      {
        name: 'eq plan=pro, first page of 1000',
        filter: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
        hand: (after) =>
          sql`select pid, id, email, cio_id from people where workspace_id = ${workspaceId} and pid > ${after} and ${attr('plan')} = 'pro' order by pid limit 1001`,
        walk: false,
      },
      {
        name: 'nested and/or/not + segment, every page',
        filter: {
          and: [
            {
              or: [
                { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
                { attribute: { field: 'country', operator: 'eq', value: 'c7' } },
              ],
            },
            { not: { attribute: { field: 'beta', operator: 'exists' } } },
            { not: { segment: { id: segmentId } } },
          ],
        },
        hand: (
          after,
        ) => sql`select pid, id, email, cio_id from people p where workspace_id = ${workspaceId} and pid > ${after}
          and (${attr('plan')} = 'pro' or ${attr('country')} = 'c7') and ${attr('beta')} is null
          and not exists (select 1 from segment_memberships sm where sm.segment_id = ${segmentId} and sm.person_pid = p.pid)
          order by pid limit 1001`,
        walk: true,
      },
      {
        name: 'segment member search, every page',
        filter: { segment: { id: segmentId } },
        hand: (
          after,
        ) => sql`select p.pid, p.id, p.email, p.cio_id from segment_memberships sm join people p on p.pid = sm.person_pid
          where sm.segment_id = ${segmentId} and sm.person_pid > ${after} order by sm.person_pid limit 1001`,
        walk: true,
      },
      {
        name: 'email eq (indexed identifier)',
        filter: { attribute: { field: 'email', operator: 'eq', value: 'USER77777@example.com' } },
        hand: () =>
          sql`select pid, id, email, cio_id from people where workspace_id = ${workspaceId} and email_norm = 'user77777@example.com'`,
        walk: false,
      },
    ];
    for (const c of cases) {
      let count = 0;
      const viaService = await time(async () => {
        count = 0;
        let start;
        do {
          const page = await search.search(workspace, { filter: c.filter }, start, 1000);
          count += page.ids.length;
          start = page.next || undefined;
        } while (c.walk && start);
      });
      let handCount = 0;
      // The same keyset pages, written by hand: 1000 rows a page, the next page after the last pid.
      const viaHand = await time(async () => {
        handCount = 0;
        let after = 0;
        for (;;) {
          const got = (await c.hand(after).execute(store.db)).rows;
          const page = got.slice(0, 1000);
          handCount += page.length;
          if (!c.walk || got.length <= 1000) break;
          after = Number(page[page.length - 1].pid);
        }
      });
      if (count !== handCount)
        throw new Error(`${c.name}: service found ${count}, hand-written SQL ${handCount}`);
      // The ceiling is the hand-written SQL for the same filter, paged the same way.
      rows.push({
        name: `${c.name}: search service`,
        value: viaService,
        unit: 'ms',
        ceiling: viaHand,
        ratio: viaService / Math.max(viaHand, 0.01),
        target: '≤ 3× the hand-written SQL',
        notes: `${handCount} rows`,
      });
    }
    return rows.map((r) => ({ ...r, name: `[${store.dialect}] ${r.name}` }));
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  console.log(table(rows));
  const over = rows.filter((r) => r.ratio !== undefined && r.ratio > 3);
  if (over.length) {
    console.error(`over the ceiling: ${over.map((r) => r.name).join(', ')}`);
    process.exitCode = 1;
  }
}
