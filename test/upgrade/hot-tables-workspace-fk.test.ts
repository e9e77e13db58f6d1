import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../packages/server/src/store/open-store.js';
import { HOT_TABLES } from '../../packages/server/src/store/migrations/145-hot-tables-workspace-fk.js';
import { PEOPLE_FILLFACTOR } from '../../packages/server/src/store/migrations/146-people-fillfactor.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';

/**
 * Migration 145 (PostgreSQL): `people`, `activities` and `events` lose their foreign key to
 * `workspaces` (a check per inserted row), and deleting a workspace row still deletes their rows,
 * as the key's ON DELETE CASCADE did. Migration 146: `people` pages keep room for HOT updates. test/upgrade/upgrade.e2e.test.ts runs the migration on a
 * previous release's database; this checks what it leaves.
 */
describe.runIf(postgresAvailable())('hot tables without a foreign key to workspaces (PostgreSQL)', () => {
  let dir: string;
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-hot-fk-'));
    database = await createTestDatabase('hotfk');
    store = await openStore({ dataDir: dir, databaseUrl: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves people, activities and events without a foreign key to workspaces, the others with theirs', async () => {
    const rows = await sql<{ table: string }>`
      select distinct c.conrelid::regclass::text as table from pg_constraint c
      where c.confrelid = 'workspaces'::regclass and c.contype = 'f'`.execute(store.db);
    const tables = rows.rows.map((r) => r.table);
    for (const t of HOT_TABLES) expect(tables).not.toContain(t);
    expect(tables).toEqual(expect.arrayContaining(['devices', 'segment_catalog', 'suppressions']));
  });

  it('keeps room on people pages for updates in place (migration 146)', async () => {
    const r = await sql<{ options: string[] | null }>`
      select reloptions as options from pg_class where oid = 'people'::regclass`.execute(store.db);
    expect(r.rows[0]!.options).toEqual([`fillfactor=${PEOPLE_FILLFACTOR}`]);
  });

  it("deleting a workspace row deletes its people, history and events, and no other workspace's", async () => {
    const db = store.db;
    const ws = async (site: string): Promise<number> => {
      const r = await sql<{
        id: number;
      }>`insert into workspaces (name, site_id, track_key_hash, app_key_hash, settings, created_at, updated_at)
        values (${site}, ${site}, ${`${site}-k`}, ${`${site}-a`}, '{}', 1, 1) returning id`.execute(db);
      return Number(r.rows[0]!.id);
    };
    const a = await ws('hot-a');
    const b = await ws('hot-b');
    for (const [w, n] of [
      [a, 1],
      [b, 2],
    ] as const) {
      await sql`insert into people (pid, workspace_id, cio_id, id, attributes, attr_ts, unsubscribed, created_at, updated_at)
        values (${n}, ${w}, ${`cio${n}`}, ${`p${n}`}, '{}', '{}', 0, 1, 1)`.execute(db);
      await sql`insert into activities (id, workspace_id, person_pid, type, data, source, timestamp, deleted)
        values (${`01HZZZZZZZZZZZZZZZZZZZZZZ${n}`}, ${w}, ${n}, 'attribute_change', '{}', 'test', 1, 0)`.execute(
        db,
      );
      await sql`insert into events (workspace_id, event_id, person_pid, type, name, data, timestamp, created_at)
        values (${w}, ${`e${n}`}, ${n}, 'event', 'e', '{}', 1, 1)`.execute(db);
    }
    await sql`delete from workspaces where id = ${a}`.execute(db);
    for (const table of HOT_TABLES) {
      const r = await sql<{ ws: number; n: number }>`
        select workspace_id as ws, count(*)::int as n from ${sql.table(table)} group by 1 order by 1`.execute(
        db,
      );
      expect(
        r.rows.map((x) => [Number(x.ws), x.n]),
        table,
      ).toEqual([[b, 1]]);
    }
  });
});
