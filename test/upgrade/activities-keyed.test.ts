import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../packages/server/src/store/migrate.js';
import { migrations } from '../../packages/server/src/store/migrations/index.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { activitiesQuery } from '../../packages/server/src/store/activities/activities-read.js';
import { countByBucketQuery } from '../../packages/server/src/store/activities/activity-stats.js';
import { pruneActivitiesBefore } from '../../packages/server/src/store/history/partitions.js';
import type { Store } from '../../packages/server/src/store/store.js';

/**
 * Migration 133 (SQLite): `activities` becomes a WITHOUT ROWID table keyed by (workspace_id, id),
 * in place. test/upgrade/upgrade.e2e.test.ts checks every App API answer across the upgrade of a
 * previous release's database; this checks the rows themselves, the table's shape, and that the
 * history reads still go through the indexes meant for them (SQLite here has no statistics, and
 * a covering primary key tempts its planner).
 */
describe('activities keyed by (workspace_id, id) on SQLite (migration 133)', () => {
  let dir: string;
  let store: Store;
  const t0 = Date.UTC(2026, 0, 1);
  /** A ULID of time `ms` (its first 10 characters) and a suffix. */
  const ulidAt = (ms: number, suffix: string): string => {
    const digits = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let out = '';
    for (let i = 0, x = ms; i < 10; i++, x = Math.floor(x / 32)) out = digits[x % 32] + out;
    return out + suffix.padStart(16, '0');
  };
  const ALL = `select id, workspace_id, person_pid, customer_identifiers, type, name, data, source, delivery_id,
    delivery_type, timestamp, deleted from activities order by id`;

  let before: unknown[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-activities-keyed-'));
    store = openSqliteStore({ dataDir: dir });
    await migrate(
      store,
      migrations.filter((m) => m.version < 133),
    );
    for (const ws of [1, 2])
      await sql`insert into workspaces (id, name, site_id, track_key_hash, app_key_hash, settings, created_at, updated_at)
        values (${ws}, ${`w${ws}`}, ${`site-${ws}`}, ${`k${ws}`}, ${`a${ws}`}, '{}', 1, 1)`.execute(store.db);
    // Old and new rows in both workspaces, of each shape the writers store.
    const rows: Array<[string, number, number | null, string | null, string, string | null, string | null]> =
      [
        [
          ulidAt(t0, '1'),
          1,
          1,
          '{"id":"a","email":null,"cio_id":"c1"}',
          'create_change',
          'plan',
          '{"plan":"pro"}',
        ],
        [ulidAt(t0 + 1, '2'), 1, 1, null, 'attribute_change', 'plan', '{"plan":{"from":"pro","to":"max"}}'],
        [ulidAt(t0 + 2, '3'), 2, 7, '{"id":"b","email":null,"cio_id":"c7"}', 'profile_create', null, null],
        [ulidAt(t0 + 3, '4'), 2, null, null, 'failed_attribute_change', null, '{"reason":"x"}'],
        [ulidAt(t0 + 86_400_000, '5'), 1, 1, null, 'event', 'bought', '{"price":3}'],
        [ulidAt(t0 + 86_400_001, '6'), 2, 7, null, 'event', 'bought', '{"price":"\u00e9"}'],
      ];
    for (const [id, ws, pid, ids, type, name, data] of rows)
      await sql`insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, timestamp, deleted)
        values (${id}, ${ws}, ${pid}, ${ids}, ${type}, ${name}, ${data}, 'track_v1', 1767225600, 0)`.execute(
        store.db,
      );
    before = (await sql.raw(ALL).execute(store.db)).rows;
    await migrate(store);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every row as it was, in a WITHOUT ROWID table keyed by (workspace_id, id)', async () => {
    expect((await sql.raw(ALL).execute(store.db)).rows).toEqual(before);
    // No `sqlite_autoindex_activities_1` (the old `id` key) and no `activities_ws`: the table is both.
    const schema = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
      where tbl_name = 'activities' order by name`.execute(store.db);
    const table = schema.rows.find((r) => r.name === 'activities')!.sql;
    expect(table).toMatch(/primary key \("workspace_id", "id"\)\s*\)\s*without rowid/i);
    expect(schema.rows.map((r) => r.name)).toEqual([
      'activities',
      'activities_person',
      'activities_person_identifiers',
      'activities_ws_type',
    ]);
  });

  const plan = async (q: { compile(): { sql: string; parameters: readonly unknown[] } }): Promise<string> => {
    const c = q.compile();
    const r = await store.db.executeQuery<{ detail: string }>({
      ...c,
      sql: `explain query plan ${c.sql}`,
    } as never);
    return r.rows.map((x) => x.detail).join('\n');
  };

  it('reads a person’s history through activities_person and its identifiers through the partial index', async () => {
    const p = await plan(
      activitiesQuery(store.db, 'sqlite', { workspaceId: 1, personPid: 1, deleted: false, limit: 50 })!,
    );
    expect(p).toMatch(/SEARCH a USING INDEX activities_person \(person_pid=\?\)/);
    expect(p).toMatch(/SEARCH b USING INDEX activities_person_identifiers \(person_pid=\? AND id<\?\)/);
    expect(p).not.toMatch(/SCAN/);
  });

  it('reads a workspace’s history newest first along its key, and counts by type through activities_ws_type', async () => {
    const p = await plan(activitiesQuery(store.db, 'sqlite', { workspaceId: 1, deleted: false, limit: 50 })!);
    expect(p).toMatch(/SEARCH a USING PRIMARY KEY \(workspace_id=\?\)/);
    expect(p).toMatch(/SEARCH b USING INDEX activities_person_identifiers/);
    expect(p).not.toMatch(/SCAN|TEMP B-TREE FOR ORDER BY/);
    const stats = await plan(
      countByBucketQuery(store, { workspaceId: 1, type: 'event', size: 3600, since: 0 }),
    );
    expect(stats).toMatch(/USING INDEX activities_ws_type \(workspace_id=\? AND type=\?\)/);
  });

  it('answers a workspace’s and a person’s history from the keyed table', async () => {
    const page = await activitiesQuery(store.db, 'sqlite', {
      workspaceId: 1,
      deleted: false,
      limit: 50,
    })!.execute();
    expect(page.map((r) => [r.type, r.customer_identifiers])).toEqual([
      ['event', '{"id":"a","email":null,"cio_id":"c1"}'],
      ['attribute_change', '{"id":"a","email":null,"cio_id":"c1"}'],
      ['create_change', '{"id":"a","email":null,"cio_id":"c1"}'],
    ]);
  });

  it('prunes the old rows of every workspace and nothing newer', async () => {
    const cutoff = t0 + 86_400_000;
    expect(await pruneActivitiesBefore(store.db, cutoff, 1)).toBe(1);
    expect(await pruneActivitiesBefore(store.db, cutoff, 100)).toBe(3);
    expect(await pruneActivitiesBefore(store.db, cutoff, 100)).toBe(0);
    const left = await sql<{ workspace_id: number; type: string }>`select workspace_id, type from activities
      order by workspace_id`.execute(store.db);
    expect(left.rows).toEqual([
      { workspace_id: 1, type: 'event' },
      { workspace_id: 2, type: 'event' },
    ]);
  });
});
