import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/lib/clock.js';
import { SegmentDefinitions } from '../../src/services/segments/definitions.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { openStore } from '../../src/store/open-store.js';
import { insertSegment } from '../../src/store/segments/segments-read.js';
import { lockSegmentDefinitions } from '../../src/store/segments/segment-tables.js';
import { toJson, type Store } from '../../src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';
import { personRow } from '../store/people-rows.js';

/**
 * The `within` recheck runs in small transactions, so writes commit while a
 * round over many timed segments is still under way (before, one write transaction held them all
 * for the whole round), and the memberships it leaves are exactly those a full backfill would.
 */
const DAY = 86_400;
const PEOPLE = 3_000;
const SEGMENTS = 60;

describe.each(engines())('time recheck in small transactions (%s)', (engine) => {
  let store: Store;
  let dir: string;
  let database: TestDatabase | undefined;
  let ws: number;
  let nowMs = 1_800_000_000_000;
  const clock: Clock = { now: () => nowMs };
  let defs: SegmentDefinitions;
  const segmentIds: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-recheck-'));
    if (engine === 'postgres') database = await createTestDatabase('recheck');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    ws = (await new WorkspaceService(store, clock).create({ name: 'r' })).workspace.id;
    defs = new SegmentDefinitions(store, clock);
    const now = nowMs / 1000;
    for (let i = 0; i < PEOPLE; i += 500) {
      const rows = await store.db
        .insertInto('people')
        .values(
          Array.from({ length: Math.min(500, PEOPLE - i) }, (_, k) =>
            personRow(ws, { cio_id: `c${i + k}`, id: `p${i + k}` }),
          ),
        )
        .returning('pid')
        .execute();
      // Person n pinged (n % 10) days ago.
      await store.db
        .insertInto('events')
        .values(
          rows.map((r, k) => ({
            workspace_id: ws,
            event_id: `ev${i + k}`,
            person_pid: Number(r.pid),
            anonymous_id: null,
            type: 'event',
            name: 'ping',
            data: toJson({}),
            timestamp: now - ((i + k) % 10) * DAY - 60,
            created_at: now,
          })),
        )
        .execute();
    }
    for (let s = 0; s < SEGMENTS; s++) {
      const conditions = { event: { name: 'ping', within: `${(s % 9) + 1}d` } };
      await defs.exclusive(ws, async (trx) => {
        const row = await insertSegment(trx, {
          workspaceId: ws,
          name: `s${s}`,
          description: '',
          now,
          conditions: toJson(conditions),
        });
        segmentIds.push(Number(row.id));
        await defs.storeConditions(trx, ws, Number(row.id), conditions, true);
      });
    }
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  const members = async (segmentId: number) =>
    Number(
      (
        await store.db
          .selectFrom('segment_memberships')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('segment_id', '=', segmentId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('lets writes commit during a round, and ends with the memberships of a full backfill', async () => {
    // Segment s holds people who pinged within (s % 9) + 1 days: (s % 9) + 1 tenths of everyone.
    expect(await members(segmentIds[0]!)).toBe(PEOPLE / 10);
    expect(await members(segmentIds[8]!)).toBe((PEOPLE * 9) / 10);
    // Two days later everyone's pings are two days older.
    nowMs += 2 * DAY * 1000;
    let roundDone = false;
    const round = defs.recheckTimed(ws).then((changed) => {
      roundDone = true;
      return changed;
    });
    // A write as a live identify makes it (PostgreSQL: under the definitions lock, shared).
    let writes = 0;
    let committedDuringRound = 0;
    while (!roundDone && writes < 20) {
      await store.transaction(async (trx) => {
        if (store.dialect === 'postgres') await lockSegmentDefinitions(trx, ws, false);
        await trx
          .insertInto('people')
          .values(personRow(ws, { cio_id: `live${writes}` }))
          .execute();
      });
      writes++;
      if (!roundDone) committedDuringRound++;
    }
    const changed = await round;
    expect(committedDuringRound).toBeGreaterThan(0);
    // Within 1 and 2 days: nobody is left; within 3 days: only those who pinged today.
    expect(await members(segmentIds[0]!)).toBe(0);
    expect(await members(segmentIds[1]!)).toBe(0);
    expect(await members(segmentIds[2]!)).toBe(PEOPLE / 10);
    expect(await members(segmentIds[8]!)).toBe((PEOPLE * 7) / 10);
    expect(changed).toBeGreaterThan(0);
    // The round is bounded by its pages, not by this timeout: it took past 120 s on a CI machine
    // running other suites beside it (load average 20).
  }, 600_000);
});
