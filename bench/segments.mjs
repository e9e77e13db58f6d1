#!/usr/bin/env node
/**
 * Segments (docs/segments.md), two figures, each beside a ceiling measured in the same run:
 *
 * 1. Backfill: creating a dynamic segment over `BENCH_PEOPLE` (default 1,000,000) people on SQLite
 *    — Roster's compiled condition inserting the memberships — against hand-written SQL for the same
 *    condition doing the same INSERT … SELECT. Target: ratio ≤ 1.5. The full create (memberships plus
 *    one `entered_segment` activity per member) is reported beside it.
 * 2. Identify throughput in-process through `TrackService` with 50 dynamic segments defined (30 on
 *    attributes, 10 on devices, 10 on events) against none. Target: a drop of at most 20 %
 *    (ratio ≥ 0.8). SQLite, and PostgreSQL when one is reachable (BENCH_DATABASE_URL /
 *    TEST_DATABASE_URL / 127.0.0.1:5432).
 *
 * Usage: `npm run build && node bench/segments.mjs`. `BENCH_PEOPLE=100000` for a quicker run;
 * `BENCH_IDENTIFIES` (default 1000) for the throughput rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table, createPgDatabase } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = (p) => pathToFileURL(path.join(here, '../packages/server/dist', p)).href;

const NOW = Math.floor(Date.now() / 1000);
const CONDITION = {
  and: [
    { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
    { attribute: { field: 'score', operator: 'gte', value: 50 } },
    { attribute: { field: 'country', operator: 'in', value: ['c1', 'c2', 'c3', 'c4', 'c5'] } },
  ],
};
const HAND = `json_extract(p.attributes, '$.plan') = 'pro' and json_extract(p.attributes, '$.score') >= 50
  and json_extract(p.attributes, '$.country') in ('c1', 'c2', 'c3', 'c4', 'c5')`;

async function ms(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function backfill(n) {
  const { openStore } = await import(dist('store/open-store.js'));
  const { createServices } = await import(dist('services/services.js'));
  const { parseFilter } = await import(dist('filter/parse-filter.js'));
  const { compileFilter } = await import(dist('store/filter/compile-filter.js'));
  const { backfillEntries } = await import(dist('store/segments/segment-backfill.js'));
  const { insertSegment } = await import(dist('store/segments/segments-read.js'));
  const { createAppServices } = await import(dist('services/app-services.js'));
  const { sql } = await import('kysely');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-seg-'));
  const store = await openStore({ dataDir });
  try {
    const services = createServices(store, { now: () => Date.now() });
    const { workspace } = await services.workspaces.ensureDefault({
      siteId: 'bseg',
      apiKey: 'k'.repeat(20),
      appApiKey: `app_${'a'.repeat(30)}`,
    });
    const ws = workspace.id;
    const seedMs = await ms(() =>
      store.transaction((trx) =>
        sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${n})
          insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
          select ${ws}, printf('%016x', i), 'user-' || i, 'user' || i || '@example.com', 'user' || i || '@example.com',
            json_object('plan', case i % 4 when 0 then 'free' when 1 then 'pro' when 2 then 'team' else 'enterprise' end,
                        'score', i % 100, 'country', 'c' || (i % 50), 'beta', json(case when i % 3 = 0 then 'true' else 'false' end)),
            '{}', 0, ${NOW}, ${NOW} from n`.execute(trx),
      ),
    );
    const seg = async (name) =>
      (await insertSegment(store.db, { workspaceId: ws, name, description: '', now: NOW })).id;
    const handSeg = await seg('hand');
    const compiledSeg = await seg('compiled');
    const predicate = compileFilter(parseFilter(CONDITION, '/c'), 'sqlite', { now: NOW });
    const hand = [];
    const compiled = [];
    let members = 0;
    for (let round = 0; round < 3; round++) {
      hand.push(
        await ms(() =>
          store.transaction((trx) =>
            sql`insert into segment_memberships (workspace_id, segment_id, person_pid, entered_at)
              select ${ws}, ${handSeg}, p.pid, ${NOW} from people as p where p.workspace_id = ${ws} and ${sql.raw(HAND)}`.execute(
              trx,
            ),
          ),
        ),
      );
      compiled.push(
        await ms(() =>
          store.transaction(async (trx) => {
            members = await backfillEntries(
              trx,
              'sqlite',
              { workspaceId: ws, segmentId: compiledSeg, segmentName: 'compiled' },
              predicate,
              NOW,
              { fresh: true, activities: false },
            );
          }),
        ),
      );
      await store.db.deleteFrom('segment_memberships').execute();
    }
    const app = createAppServices(store, { now: () => Date.now() });
    const full = await ms(() => app.segments.create(workspace, { name: 'full', conditions: CONDITION }));
    const h = median(hand);
    const c = median(compiled);
    return [
      {
        name: `seed ${n.toLocaleString('en')} people (one INSERT … SELECT)`,
        value: seedMs / 1000,
        unit: 's',
      },
      {
        name: 'backfill: hand-written SQL (INSERT … SELECT)',
        value: h,
        unit: 'ms',
        notes: `${members.toLocaleString('en')} members`,
      },
      {
        name: 'backfill: compiled condition (same INSERT)',
        value: c,
        unit: 'ms',
        ceiling: h,
        ratio: c / h,
        target: 'ratio ≤ 1.5',
      },
      {
        name: 'create dynamic segment via App API service (memberships + entered activities)',
        value: full,
        unit: 'ms',
        ceiling: h,
        ratio: full / h,
        notes: 'informational: also writes one activity per member',
      },
    ];
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function fiftySegments() {
  const out = [];
  for (let i = 0; i < 30; i++)
    out.push(
      i % 3 === 0
        ? { attribute: { field: 'plan', operator: 'eq', value: ['pro', 'free', 'team'][i % 3] } }
        : i % 3 === 1
          ? {
              and: [
                { attribute: { field: 'score', operator: 'gte', value: i } },
                { attribute: { field: 'address.city', operator: 'in', value: ['Oslo', 'Rome'] } },
              ],
            }
          : { not: { attribute: { field: 'country', operator: 'starts_with', value: `c${i % 10}` } } },
    );
  for (let i = 0; i < 10; i++)
    out.push({
      device: {
        and: [
          { attribute: { field: 'platform', operator: 'eq', value: 'ios' } },
          { attribute: { field: 'app_version', operator: 'gte', value: i } },
        ],
      },
    });
  for (let i = 0; i < 10; i++)
    out.push({
      event: {
        name: `event-${i % 3}`,
        count: { operator: 'gte', value: 1 + (i % 3) },
        ...(i % 2 ? { within: '30d' } : {}),
      },
    });
  return out;
}

async function throughput(label, databaseUrl, k) {
  const { openStore } = await import(dist('store/open-store.js'));
  const { createServices } = await import(dist('services/services.js'));
  const { createAppServices } = await import(dist('services/app-services.js'));
  const { v1 } = await import(dist('services/track/v1.js'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-segtp-'));
  // As `roster serve` opens it: on SQLite, WAL checkpoints on a worker thread.
  const store = await openStore({ databaseUrl, dataDir, sqliteBackgroundCheckpoint: true });
  try {
    const clock = { now: () => Date.now() };
    const services = createServices(store, clock);
    const { workspace } = await services.workspaces.ensureDefault({
      siteId: 'bsegtp',
      apiKey: 'k'.repeat(20),
      appApiKey: `app_${'b'.repeat(30)}`,
    });
    const people = 1000;
    // `churn` rounds change attributes the segments test (people enter and leave segments on most
    // writes); `steady` rounds change an attribute segments read without moving anyone across a
    // threshold (the cost of evaluating all 50); `quiet` rounds change an attribute no segment reads.
    let mode = 'churn';
    const identify = (i, round) =>
      services.track.execute(
        workspace,
        'bench',
        v1.identify(
          workspace,
          `p${i % people}`,
          mode === 'quiet' && round > 0
            ? { last_seen: round * 1_000_000 + i }
            : mode === 'steady' && round > 0
              ? { score: 1000 + round }
              : {
                  plan: ['pro', 'free', 'team'][(i + round) % 3],
                  score: (i * 7 + round) % 100,
                  address: { city: i % 2 ? 'Oslo' : 'Rome' },
                  country: `c${i % 10}`,
                },
        ),
      );
    // Everyone exists, with a device and a few events, before the timed rounds.
    for (let i = 0; i < people; i++) {
      await identify(i, 0);
      await services.track.execute(
        workspace,
        'bench',
        v1.addDevice(workspace, `p${i}`, {
          device: {
            id: `tok-${i}`,
            platform: i % 2 ? 'ios' : 'android',
            attributes: { app_version: String(i % 10) },
          },
        }),
      );
      await services.track.execute(
        workspace,
        'bench',
        v1.event(workspace, `p${i}`, { name: `event-${i % 3}`, data: { n: i } }),
      );
    }
    let r = 0;
    const round = async () => {
      r++;
      const t = process.hrtime.bigint();
      for (let i = 0; i < k; i++) await identify(i, r);
      return k / (Number(process.hrtime.bigint() - t) / 1e9);
    };
    const app = createAppServices(store, clock);
    const segments = fiftySegments();
    const define = async (on) => {
      if (on) {
        for (let i = 0; i < segments.length; i++)
          await app.segments.create(workspace, { name: `s${r}-${i}`, conditions: segments[i] });
      } else {
        await store.db.deleteFrom('segments').where('type', '=', 'dynamic').execute();
        await store.db
          .updateTable('segment_catalog')
          .set((eb) => ({ version: eb('version', '+', 1) }))
          .execute();
      }
    };
    const out = {
      quiet: { none: [], fifty: [] },
      steady: { none: [], fifty: [] },
      churn: { none: [], fifty: [] },
    };
    await round(); // warm-up: statement paths, page cache
    // Alternate so drift (page cache, WAL growth) hits both sides; best of five each (a round is
    // under 100 ms, so one slow moment of the machine moved a best of two by 25%).
    for (let rep = 0; rep < 5; rep++) {
      for (const on of [false, true]) {
        await define(on);
        for (const m of ['quiet', 'steady', 'churn']) {
          mode = m;
          // One untimed pass settles memberships for the new mode (steady: everyone above the thresholds).
          if (m === 'steady') await round();
          out[m][on ? 'fifty' : 'none'].push(await round());
        }
      }
    }
    const rows = [];
    for (const m of ['quiet', 'steady', 'churn']) {
      const a = Math.max(...out[m].none);
      const b = Math.max(...out[m].fifty);
      const what = {
        quiet: 'attribute no segment reads',
        steady: 'attribute segments read, no one enters or exits',
        churn: 'attributes segments read: enters/exits on most writes',
      }[m];
      rows.push(
        { name: `identify (${what}), no dynamic segments (${label})`, value: a, unit: 'ops/s' },
        {
          name: `identify (${what}), 50 dynamic segments (${label})`,
          value: b,
          unit: 'ops/s',
          ceiling: a,
          ratio: b / a,
          target: m === 'churn' ? '' : 'ratio ≥ 0.8',
        },
      );
    }
    return rows;
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run() {
  const n = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
  const k = Number(process.env.BENCH_IDENTIFIES ?? 1000);
  const rows = [...(await backfill(n)), ...(await throughput('SQLite', undefined, k))];
  const pg = await createPgDatabase().catch(() => undefined);
  if (pg) {
    try {
      rows.push(...(await throughput('PostgreSQL', pg.url, k)));
    } finally {
      await pg.drop();
    }
  } else
    rows.push({
      name: 'identify (PostgreSQL)',
      value: null,
      unit: '',
      notes: 'no PostgreSQL reachable: skipped',
    });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await run();
  console.log(table(rows));
}
