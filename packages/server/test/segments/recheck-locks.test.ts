import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/lib/clock.js';
import { SegmentDefinitions } from '../../src/services/segments/definitions.js';
import { refLockKey } from '../../src/services/track/identifiers.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { openStore } from '../../src/store/open-store.js';
import { insertSegment } from '../../src/store/segments/segments-read.js';
import { segmentLockKey } from '../../src/store/segments/segment-tables.js';
import { toJson, type Store } from '../../src/store/store.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../../test/helpers/postgres.js';
import { personRow } from '../store/people-rows.js';

/**
 * PostgreSQL: a `within` recheck page locks only the people whose membership it changes, the way a
 * Track write locks them (docs/segments.md "The `within` recheck"). Before, each page held the
 * workspace's definitions lock exclusively, so every write of the workspace queued behind the
 * recheck (identify p99 2.7× its quiet figure during a 2,000-segment round, bench/recheck.mjs).
 */
const DAY = 86_400;
const PEOPLE = 200;

describe.skipIf(!postgresAvailable())('time recheck locks (postgres)', () => {
  let store: Store;
  let dir: string;
  let database: TestDatabase;
  let ws: number;
  let nowMs = 1_800_000_000_000;
  const clock: Clock = { now: () => nowMs };
  let defs: SegmentDefinitions;
  let segmentId = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-recheck-locks-'));
    database = await createTestDatabase('recheck_locks');
    store = await openStore({ dataDir: dir, databaseUrl: database.url });
    ws = (await new WorkspaceService(store, clock).create({ name: 'r' })).workspace.id;
    defs = new SegmentDefinitions(store, clock);
    const now = nowMs / 1000;
    const rows = await store.db
      .insertInto('people')
      .values(Array.from({ length: PEOPLE }, (_, k) => personRow(ws, { cio_id: `c${k}`, id: `p${k}` })))
      .returning('pid')
      .execute();
    // Person k pinged (k % 2) days ago, minus a minute.
    await store.db
      .insertInto('events')
      .values(
        rows.map((r, k) => ({
          workspace_id: ws,
          event_id: `ev${k}`,
          person_pid: Number(r.pid),
          anonymous_id: null,
          type: 'event',
          name: 'ping',
          data: toJson({}),
          timestamp: now - (k % 2) * DAY - 60,
          created_at: now,
        })),
      )
      .execute();
    const conditions = { event: { name: 'ping', within: '1d' } };
    await defs.exclusive(ws, async (trx) => {
      const row = await insertSegment(trx, {
        workspaceId: ws,
        name: 'recent',
        description: '',
        now,
        conditions: toJson(conditions),
      });
      segmentId = Number(row.id);
      await defs.storeConditions(trx, ws, segmentId, conditions, true);
    });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  const members = async () =>
    Number(
      (
        await store.db
          .selectFrom('segment_memberships')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('segment_id', '=', segmentId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** A transaction that holds `lockKeys` (and the definitions lock shared, as writes do) until released. */
  function holdWrite(lockKeys: string[]): { release: () => void; done: Promise<void> } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const done = store.transaction(
      async (trx) => {
        // BEGIN and the locks go with the first statement.
        await trx.selectFrom('workspaces').select('id').where('id', '=', ws).execute();
        started();
        await released;
      },
      { lockKeys, sharedLockKeys: [segmentLockKey(ws)] },
    );
    return { release, done: holding.then(() => undefined).then(() => done) };
  }

  it('runs while other people are being written, and waits only for a write to a person it changes', async () => {
    expect(await members()).toBe(PEOPLE / 2);
    // A day later the even half (who pinged a day and a minute before) leaves; the odd half was
    // out already. p1 (odd, unchanged) and p0 (even, changing) are being written meanwhile, each
    // transaction also holding the definitions lock shared, as every write does.
    nowMs += DAY * 1000;
    const other = holdWrite([refLockKey(ws, { kind: 'id', value: 'p1' })]);
    const changed = holdWrite([refLockKey(ws, { kind: 'id', value: 'p0' })]);
    let finished = false;
    const round = defs.recheckTimed(ws).then((n) => {
      finished = true;
      return n;
    });
    // The recheck waits for p0's lock (and only then writes p0's change).
    await expect
      .poll(
        async () =>
          (
            await sql<{ n: number }>`select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted`.execute(store.db)
          ).rows[0]?.n,
        { timeout: 30_000 },
      )
      .toBe(1);
    expect(finished).toBe(false);
    expect(await members()).toBe(PEOPLE / 2);
    changed.release();
    // It finishes while p1's write (and its shared definitions lock) is still open: before, each
    // page took the definitions lock exclusively and so waited for every write of the workspace.
    expect(await round).toBe(PEOPLE / 2);
    expect(await members()).toBe(0);
    other.release();
    await Promise.all([other.done, changed.done]);
  }, 120_000);
});
