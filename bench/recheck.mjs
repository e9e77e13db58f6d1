#!/usr/bin/env node
/**
 * The `within` recheck against live writes (docs/segments.md "The `within` recheck"): an identify's
 * p99 while a recheck round over 2,000 timed segments runs, beside its p99 with no recheck (the
 * ceiling), measured in the same run, in-process through `TrackService` as `roster serve` runs it
 * (same event loop, same store). Target: within 2× (ratio ≤ 2). Before, one write transaction held
 * every writer for the whole round (2,000 segments: an identify waited 69.5 s).
 *
 * Each segment is `plan = pN and purchase count ≥ k within 30d`, over `BENCH_RECHECK_PEOPLE`
 * (default 5,000) people with events. The round starts with no memberships, so its pages insert
 * them: the heaviest round. Identifies are measured while it runs (`BENCH_RECHECK_IDENTIFIES`,
 * default 2,000, one after another), then the round is stopped. SQLite, and PostgreSQL when reachable.
 *
 * Usage: `npm run build && node bench/recheck.mjs`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { table, createPgDatabase } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = (p) => pathToFileURL(path.join(here, '../packages/server/dist', p)).href;
const SEGMENTS = 2000;

function p(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}

async function measure(label, databaseUrl, people, identifies) {
  const { openStore } = await import(dist('store/open-store.js'));
  const { createServices } = await import(dist('services/services.js'));
  const { SegmentDefinitions } = await import(dist('services/segments/definitions.js'));
  const { v1 } = await import(dist('services/track/v1.js'));
  const { bumpCatalogVersion } = await import(dist('store/segments/segment-tables.js'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-bench-recheck-'));
  const store = await openStore({ databaseUrl, dataDir, sqliteBackgroundCheckpoint: true });
  try {
    const clock = { now: () => Date.now() };
    const services = createServices(store, clock);
    const { workspace } = await services.workspaces.ensureDefault({
      siteId: 'brecheck',
      apiKey: 'k'.repeat(20),
      appApiKey: `app_${'r'.repeat(30)}`,
    });
    const ws = workspace.id;
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < people; i += 1000) {
      const n = Math.min(1000, people - i);
      const rows = await store.db
        .insertInto('people')
        .values(
          Array.from({ length: n }, (_, k) => ({
            workspace_id: ws,
            cio_id: `b${(i + k).toString(16).padStart(12, '0')}`,
            id: `u${i + k}`,
            email: null,
            email_norm: null,
            attributes: JSON.stringify({ plan: `p${(i + k) % 7}` }),
            attr_ts: '{}',
            unsubscribed: 0,
            created_at: now,
            updated_at: now,
          })),
        )
        .returning('pid')
        .execute();
      await store.db
        .insertInto('events')
        .values(
          rows.flatMap((r, k) =>
            Array.from({ length: (i + k) % 4 }, (_, e) => ({
              workspace_id: ws,
              event_id: `e${i + k}-${e}`,
              person_pid: Number(r.pid),
              anonymous_id: null,
              type: 'event',
              name: 'purchase',
              data: '{}',
              timestamp: now - e * 86_400 * 12,
              created_at: now,
            })),
          ),
        )
        .execute();
    }
    for (let i = 0; i < SEGMENTS; i += 500)
      await store.db
        .insertInto('segments')
        .values(
          Array.from({ length: Math.min(500, SEGMENTS - i) }, (_, k) => ({
            workspace_id: ws,
            name: `s${i + k}`,
            description: '',
            type: 'dynamic',
            conditions: JSON.stringify({
              and: [
                { attribute: { field: 'plan', operator: 'eq', value: `p${(i + k) % 7}` } },
                {
                  event: { name: 'purchase', count: { operator: 'gte', value: (i + k) % 5 }, within: '30d' },
                },
              ],
            }),
            tags: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    await bumpCatalogVersion(store.db, ws);
    const identify = (i) =>
      services.track.execute(workspace, 'bench', v1.identify(workspace, `u${i % people}`, { seen: i }));
    const timed = async (n, offset) => {
      const out = [];
      for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        await identify(offset + i);
        out.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return out;
    };
    await timed(500, 0); // warm-up: statement paths, the segment catalog, page cache
    const quiet = await timed(identifies, 1_000);
    const defs = new SegmentDefinitions(store, clock);
    let stop = false;
    let pages = 0;
    const round = defs.recheckTimed(ws, { stopped: () => (pages++, stop) });
    // Identifies for as long as it takes the round to run a few hundred transactions (at least
    // `identifies` of them, at most 30 s), so the window spans many pages, not one.
    const busy = [];
    const until = Date.now() + 30_000;
    while ((busy.length < identifies || pages < 300) && Date.now() < until)
      busy.push(...(await timed(100, 100_000 + busy.length)));
    stop = true;
    await round;
    const base = p(quiet, 0.99);
    const during = p(busy, 0.99);
    return [
      {
        name: `identify p99, no recheck (${label})`,
        value: Number(base.toFixed(2)),
        unit: 'ms',
        notes: `p50 ${p(quiet, 0.5).toFixed(2)} ms; ${people} people`,
      },
      {
        name: `identify p99 during a recheck of ${SEGMENTS} timed segments (${label})`,
        value: Number(during.toFixed(2)),
        unit: 'ms',
        ceiling: Number(base.toFixed(2)),
        ratio: during / base,
        target: 'ratio ≤ 2',
        notes: `p50 ${p(busy, 0.5).toFixed(2)} ms; ${pages} recheck transactions ran meanwhile`,
      },
    ];
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run() {
  const people = Number(process.env.BENCH_RECHECK_PEOPLE ?? 5000);
  const identifies = Number(process.env.BENCH_RECHECK_IDENTIFIES ?? 2000);
  const rows = await measure('SQLite', undefined, people, identifies);
  const pg = await createPgDatabase().catch(() => undefined);
  if (pg) {
    try {
      rows.push(...(await measure('PostgreSQL', pg.url, people, identifies)));
    } finally {
      await pg.drop();
    }
  } else
    rows.push({
      name: 'recheck (PostgreSQL)',
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
