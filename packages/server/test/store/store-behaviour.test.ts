import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { parseJson, toJson, type Store } from '../../src/store/store.js';
import { personRow } from './people-rows.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { systemClock } from '../../src/lib/clock.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/store');
const OPEN_STORE = path.join(DIST, 'open-store.js');
const MIGRATE = path.join(DIST, 'migrate.js');

// One behaviour suite, run against every engine with the real migrations.
describe.each(engines())('store on %s', (engine) => {
  let store: Store;
  let dir: string;
  let database: TestDatabase | undefined;
  let workspaceId: number;
  let other: number;

  const open = () =>
    engine === 'postgres'
      ? openPostgresStore({ connectionString: database!.url })
      : openSqliteStore({ dataDir: dir });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-store-'));
    if (engine === 'postgres') database = await createTestDatabase('store');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    const ws = new WorkspaceService(store, systemClock);
    workspaceId = (await ws.create({ name: 'a' })).workspace.id;
    other = (await ws.create({ name: 'b' })).workspace.id;
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  const person = (ws: number, fields: { cio_id: string; id?: string | null; email?: string | null }) =>
    personRow(ws, { ...fields, attributes: { nested: { a: [1, 2] }, plan: 'pro' }, attrTs: { plan: 1 } });

  it('migrations are recorded once and re-running them is a no-op', async () => {
    expect(await migrate(store)).toEqual([]);
    const rows = await store.db.selectFrom('roster_migrations').selectAll().execute();
    expect(rows.map((r) => r.version)).toEqual([...new Set(rows.map((r) => r.version))]);
    expect(rows.map((r) => r.version).sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version));
  });

  it('migrations started by several processes at once apply exactly once', async () => {
    // Separate OS processes racing on a fresh, empty database file / PostgreSQL database.
    let db2: TestDatabase | undefined;
    const dir2 = mkdtempSync(path.join(tmpdir(), 'roster-race-'));
    if (engine === 'postgres') db2 = await createTestDatabase('race');
    const script = `
      const { openStore } = await import(${JSON.stringify(OPEN_STORE)});
      const { migrate } = await import(${JSON.stringify(MIGRATE)});
      const s = await openStore({ dataDir: process.argv[1], databaseUrl: process.argv[2] || undefined });
      console.log(JSON.stringify(await migrate(s)));
      await s.close();`;
    try {
      const runs = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<string>((resolve, reject) =>
              execFile(
                process.execPath,
                ['--input-type=module', '-e', script, dir2, db2?.url ?? ''],
                (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(stdout)),
              ),
            ),
        ),
      );
      // Every process finished; afterwards exactly one row per migration exists.
      expect(runs).toHaveLength(3);
      const s =
        engine === 'postgres'
          ? openPostgresStore({ connectionString: db2!.url })
          : openSqliteStore({ dataDir: dir2 });
      const rows = await s.db.selectFrom('roster_migrations').select('version').execute();
      await s.close();
      expect(rows.map((r) => r.version).sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version));
    } finally {
      rmSync(dir2, { recursive: true, force: true });
      await db2?.drop();
    }
  });

  it('round-trips JSON attributes, including nested values', async () => {
    const row = await store.db
      .insertInto('people')
      .values(person(workspaceId, { cio_id: 'c1', id: 'u1', email: 'A@Example.com' }))
      .returning(['pid', 'attributes'])
      .executeTakeFirstOrThrow();
    expect(parseJson(row.attributes)).toEqual({ nested: { a: [1, 2] }, plan: 'pro' });
    expect(typeof row.pid).toBe('number');
  });

  it('keeps identifiers unique per workspace, and lets two workspaces use the same ones', async () => {
    await expect(
      store.db
        .insertInto('people')
        .values(person(workspaceId, { cio_id: 'c2', id: 'u1' }))
        .execute(),
    ).rejects.toThrow();
    await expect(
      store.db
        .insertInto('people')
        .values(person(workspaceId, { cio_id: 'c3', email: 'a@example.COM'.toLowerCase() }))
        .execute(),
    ).rejects.toThrow();
    await expect(
      store.db
        .insertInto('people')
        .values(person(workspaceId, { cio_id: 'c1' }))
        .execute(),
    ).rejects.toThrow();
    // The same identifiers in another workspace are another person.
    await store.db
      .insertInto('people')
      .values(person(other, { cio_id: 'c1', id: 'u1', email: 'a@example.com' }))
      .execute();
    // People without an id or email do not collide on NULL.
    await store.db
      .insertInto('people')
      .values(person(workspaceId, { cio_id: 'c4' }))
      .execute();
    await store.db
      .insertInto('people')
      .values(person(workspaceId, { cio_id: 'c5' }))
      .execute();
  });

  it('a token belongs to one person per workspace; event ids are unique per workspace', async () => {
    const [p] = await store.db.selectFrom('people').select('pid').where('cio_id', '=', 'c4').execute();
    const device = {
      workspace_id: workspaceId,
      token: 'tok',
      person_pid: p!.pid,
      platform: 'ios',
      last_used: 1,
      attributes: toJson({}),
      created_at: 1,
      updated_at: 1,
    };
    await store.db.insertInto('devices').values(device).execute();
    await expect(store.db.insertInto('devices').values(device).execute()).rejects.toThrow();
    const event = {
      workspace_id: workspaceId,
      event_id: '01HZX3K0000000000000000000',
      person_pid: p!.pid,
      anonymous_id: null,
      type: 'event',
      name: 'purchase',
      data: toJson({ price: 1 }),
      timestamp: 1,
      // Receive time: PostgreSQL partitions events by month from the migration's month on.
      created_at: Math.floor(Date.now() / 1000),
    };
    await store.db.insertInto('events').values(event).execute();
    // SQLite refuses a repeated event id itself. PostgreSQL's partitioned `events` cannot hold a
    // unique index without the partition key, so there the write path stores a repeated id once
    // under the event id's lock (test/ops/retention.test.ts covers it).
    if (store.dialect === 'sqlite')
      await expect(store.db.insertInto('events').values(event).execute()).rejects.toThrow();
    await store.db
      .insertInto('events')
      .values({ ...event, workspace_id: other, person_pid: null })
      .execute();
  });

  it('deleting a person removes their devices, events and memberships', async () => {
    const p = await store.db
      .insertInto('people')
      .values(person(workspaceId, { cio_id: 'c9', id: 'gone' }))
      .returning('pid')
      .executeTakeFirstOrThrow();
    await store.db
      .insertInto('devices')
      .values({
        workspace_id: workspaceId,
        token: 't9',
        person_pid: p.pid,
        platform: 'android',
        last_used: 1,
        attributes: '{}',
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    const seg = await store.db
      .insertInto('segments')
      .values({
        workspace_id: workspaceId,
        name: 's',
        description: '',
        type: 'manual',
        conditions: null,
        tags: null,
        created_at: 1,
        updated_at: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await store.db
      .insertInto('segment_memberships')
      .values({ workspace_id: workspaceId, segment_id: seg.id, person_pid: p.pid, entered_at: 1 })
      .execute();
    await store.db.deleteFrom('people').where('pid', '=', p.pid).execute();
    expect(
      await store.db.selectFrom('devices').selectAll().where('person_pid', '=', p.pid).execute(),
    ).toEqual([]);
    expect(
      await store.db.selectFrom('segment_memberships').selectAll().where('person_pid', '=', p.pid).execute(),
    ).toEqual([]);
  });

  it('a failed transaction leaves nothing behind', async () => {
    await expect(
      store.transaction(async (trx) => {
        await trx
          .insertInto('people')
          .values(person(workspaceId, { cio_id: 'rollback-1', id: 'r1' }))
          .execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(
      await store.db.selectFrom('people').selectAll().where('cio_id', '=', 'rollback-1').execute(),
    ).toEqual([]);
  });

  it('concurrent transactions commit or fail each on its own (SQLite commits them as a group)', async () => {
    // Started together, so on SQLite they share one group commit: a writer that throws, or whose
    // statement violates a constraint, loses only its own writes and gets its own error.
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        store.transaction(async (trx) => {
          await trx
            .insertInto('people')
            .values(person(workspaceId, { cio_id: `group-${i}`, id: `group-${i}` }))
            .execute();
          if (i === 4) throw new Error('member 4 fails');
          if (i === 7)
            await trx
              .insertInto('people')
              .values(person(workspaceId, { cio_id: 'group-0', id: 'group-dup' }))
              .execute();
          return i * 10;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i === 4 || i === 7 ? 'rejected' : 'fulfilled')),
    );
    expect((results[4] as PromiseRejectedResult).reason).toMatchObject({ message: 'member 4 fails' });
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).toEqual([
      0, 10, 20, 30, 50, 60, 80, 90, 100, 110,
    ]);
    const rows = await store.db
      .selectFrom('people')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', 'like', 'group-%')
      .execute();
    expect(rows.map((r) => r.id).sort((a, b) => Number(a!.slice(6)) - Number(b!.slice(6)))).toEqual(
      [0, 1, 2, 3, 5, 6, 8, 9, 10, 11].map((i) => `group-${i}`),
    );
  });

  it('a writer that carries on after a failed statement is told "written" only if its rows are there', async () => {
    // SQLite undoes only the failed statement; PostgreSQL aborts the whole transaction, and its
    // COMMIT then answers ROLLBACK. Either way the answer must match what was stored.
    const outcome = await Promise.allSettled([
      store.transaction(async (trx) => {
        await trx
          .insertInto('people')
          .values(person(workspaceId, { cio_id: 'carry-on', id: 'carry-on' }))
          .execute();
        await trx
          .insertInto('people')
          .values(person(workspaceId, { cio_id: 'carry-on', id: 'carry-on-dup' }))
          .execute()
          .catch(() => undefined);
      }),
    ]);
    const stored = await store.db.selectFrom('people').select('id').where('id', '=', 'carry-on').execute();
    expect(outcome[0]!.status === 'fulfilled').toBe(stored.length === 1);
    expect(outcome[0]!.status).toBe(engine === 'sqlite' ? 'fulfilled' : 'rejected');
  });

  it('serialises transactions that lock the same key', async () => {
    // Two writers read-modify-write one counter; without serialisation one update would be lost.
    const p = await store.db
      .insertInto('people')
      .values(person(workspaceId, { cio_id: 'counter' }))
      .returning('pid')
      .executeTakeFirstOrThrow();
    const second = engine === 'postgres' ? open() : store;
    const bump = (s: Store) =>
      s.transaction(async (trx) => {
        await s.lockKeys(trx, ['counter']);
        const row = await trx
          .selectFrom('people')
          .select('updated_at')
          .where('pid', '=', p.pid)
          .executeTakeFirstOrThrow();
        await new Promise((r) => setTimeout(r, 20));
        await trx
          .updateTable('people')
          .set({ updated_at: row.updated_at + 1 })
          .where('pid', '=', p.pid)
          .execute();
      });
    await Promise.all([bump(store), bump(second), bump(store), bump(second)]);
    if (second !== store) await second.close();
    const row = await store.db
      .selectFrom('people')
      .select('updated_at')
      .where('pid', '=', p.pid)
      .executeTakeFirstOrThrow();
    expect(row.updated_at).toBe(5);
  });

  it('stores workspace keys hashed: the plain keys appear nowhere in the database', async () => {
    const ws = new WorkspaceService(store, systemClock);
    const { credentials } = await ws.create({ name: 'hashed' });
    const rows = await store.db.selectFrom('workspaces').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(credentials.apiKey);
    expect(dump).not.toContain(credentials.appApiKey);
    expect(await ws.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeDefined();
    expect(await ws.authenticateApp(credentials.appApiKey)).toBeDefined();
    // Never interchangeable.
    expect(await ws.authenticateApp(credentials.apiKey)).toBeUndefined();
    expect(await ws.authenticateTrack(credentials.siteId, credentials.appApiKey)).toBeUndefined();
    const rotated = await ws.rotateKeys(credentials.siteId);
    expect(await ws.authenticateTrack(credentials.siteId, credentials.apiKey)).toBeUndefined();
    expect(await ws.authenticateTrack(credentials.siteId, rotated.apiKey!)).toBeDefined();
    expect(await ws.authenticateApp(credentials.appApiKey)).toBeUndefined();
    expect(await ws.authenticateApp(rotated.appApiKey!)).toBeDefined();
  });
});

// SQLite's group commit, beyond what every engine shares above.
describe('SQLite group commit', () => {
  let store: Store;
  let dir: string;
  let workspaceId: number;
  const person = personRow;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-group-'));
    store = await openStore({ dataDir: dir });
    workspaceId = (await new WorkspaceService(store, systemClock).create({ name: 'g' })).workspace.id;
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a writer ends the shared transaction, the others are written anyway and it gets an error', async () => {
    // What SQLite does on its own on some errors (a full disk): the transaction is gone. Here a
    // writer ends it and carries on as if nothing happened; nobody may be told "written" wrongly.
    const write = (i: number, end = false) =>
      store.transaction(async (trx) => {
        await trx
          .insertInto('people')
          .values(person(workspaceId, { cio_id: `lost-${i}`, id: `lost-${i}` }))
          .execute();
        if (end) await sql`rollback`.execute(trx);
        return i;
      });
    const results = await Promise.allSettled([write(0), write(1), write(2, true), write(3), write(4)]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const rows = await store.db
      .selectFrom('people')
      .select('id')
      .where('id', 'like', 'lost-%')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.id)).toEqual(['lost-0', 'lost-1', 'lost-3', 'lost-4']);
    // And the store goes on.
    expect(await write(5)).toBe(5);
  });
});
