import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../../test/helpers/postgres.js';

const WORKSPACE = 7;
const ROWS = 20000;
/** The named prepared statement the write path looked event ids up with before migration 151. */
const PROBE = 'select seq from events where workspace_id = $1 and event_id = $2';

/**
 * Whether an event id is stored is read by `roster_event_view` (migration 151) with a plan made on
 * every call. The hazard it avoids: `events` is partitioned by month, and a plan cached while a
 * month's partition was empty — analyzed empty, as every partition made ahead is once anything
 * runs ANALYZE — reads that partition by a sequential scan once the month fills, until the next
 * ANALYZE. Here the partitions are analyzed empty and autovacuum is off, so no ANALYZE comes: a
 * cached generic plan reads the whole month per lookup, the function reads one index entry.
 */
describe.runIf(postgresAvailable())('the event id lookup on PostgreSQL', () => {
  let store: Store;
  let dir: string;
  let database: TestDatabase;
  let client: pg.Client;

  /** Rows and index entries of `events`' partitions read by this transaction so far. */
  const readsSoFar = async (): Promise<number> => {
    const r = await client.query<{ n: string }>(
      `select (select coalesce(sum(seq_tup_read), 0) from pg_stat_xact_user_tables t
                where t.relid in (select inhrelid from pg_inherits where inhparent = 'events'::regclass))
            + (select coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0) from pg_index i
                where i.indrelid in (select inhrelid from pg_inherits where inhparent = 'events'::regclass)) as n`,
    );
    return Number(r.rows[0]!.n);
  };
  const readsOf = async (query: pg.QueryConfig): Promise<{ reads: number; rows: unknown[] }> => {
    await client.query('begin');
    try {
      const before = await readsSoFar();
      const { rows } = await client.query(query);
      return { reads: (await readsSoFar()) - before, rows };
    } finally {
      await client.query('rollback');
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-event-view-'));
    database = await createTestDatabase('eventview');
    store = await openStore({ dataDir: dir, databaseUrl: database.url });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const parts = await client.query<{ name: string }>(
      "select inhrelid::regclass::text as name from pg_inherits where inhparent = 'events'::regclass",
    );
    for (const { name } of parts.rows)
      await client.query(`alter table ${name} set (autovacuum_enabled = false)`);
    await client.query('analyze events');
    // Cached while this month's partition is empty: the form used before migration 151.
    await client.query('set plan_cache_mode = force_generic_plan');
    await client.query({ name: 'probe', text: PROBE, values: [WORKSPACE, '01HZX3Q8Y6V1M9K2D4F7B0C5NE'] });
    await client.query('select * from roster_event_view(7, $1::text[], $2::text[])', [['01HZ'], ['x']]);
    const now = Math.floor(Date.now() / 1000);
    await client.query(
      `insert into events (workspace_id, event_id, person_pid, anonymous_id, type, name, data, timestamp, created_at)
       select $1::bigint, 'E' || lpad(i::text, 25, '0'), null, 'anon-' || (i % 50), 'event', 'viewed', '{}', $2::bigint, $2::bigint
       from generate_series(1, $3::int) as i`,
      [WORKSPACE, now, ROWS],
    );
  });

  afterAll(async () => {
    await client?.end();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('finds stored ids by one index entry each, where a plan cached on the empty month reads it all', async () => {
    const stored = `E${'42'.padStart(25, '0')}`;
    const cached = await readsOf({ name: 'probe', text: PROBE, values: [WORKSPACE, stored] });
    expect(cached.rows).toHaveLength(1);
    expect(cached.reads).toBeGreaterThanOrEqual(ROWS);

    const viewed = await readsOf({
      text: 'select r_seen as seen, r_triggering as triggering from roster_event_view($1, $2::text[], $3::text[])',
      values: [WORKSPACE, [stored, '01HZX3Q8Y6V1M9K2D4F7B0C5NE'], ['viewed']],
    });
    expect(viewed.rows).toEqual([{ seen: [stored], triggering: [] }]);
    expect(viewed.reads).toBeLessThanOrEqual(10);
  });
});
