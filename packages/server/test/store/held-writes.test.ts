import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openStore } from '../../src/store/open-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { executeLater, queryRows, statement } from '../../src/store/sql.js';
import { activityId } from '../../src/store/activities/activities.js';
import type { Store } from '../../src/store/store.js';
import { HeldWrites } from '../../src/store/postgres/held-writes.js';
import { quote } from '../../src/store/postgres/inline-sql.js';
import { TableCatalog } from '../../src/store/postgres/table-catalog.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { systemClock } from '../../src/lib/clock.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../../test/helpers/postgres.js';

// The Track write path's own shapes (store/track/people.ts, store/activities, store/track/events.ts).
const INSERT_PERSON = statement(
  `insert into people (pid, workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const UPDATE_ATTRIBUTES = statement(
  'update people set attributes = ?, attr_ts = ?, unsubscribed = ?, updated_at = ? where pid = ? and workspace_id = ?',
);
const UPDATE_IDENTIFIERS = statement(
  'update people set id = ?, email = ?, email_norm = ?, attributes = ?, attr_ts = ?, unsubscribed = ?, updated_at = ? where pid = ? and workspace_id = ?',
);
const INSERT_ACTIVITY = statement(
  `insert into activities (id, workspace_id, person_pid, customer_identifiers, type, name, data, source, delivery_id, delivery_type, timestamp, deleted)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const INSERT_EVENT = statement(
  `insert into events (workspace_id, person_pid, anonymous_id, event_id, name, type, data, timestamp, created_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

const NOW = Math.floor(Date.now() / 1000);
/**
 * Text an array literal must escape (quotes, backslash, braces, a comma, the word NULL), and the
 * dollar-quote tag set-insert.ts uses (its array then goes as a quoted literal).
 */
const HOSTILE = `it's "x" \\ {NULL}, $r$ \u00e9`;

/** One scripted transaction's writes, for workspace `ws` with pids from `base`. */
function script(ws: number, base: number) {
  const person = (n: number, attrs: Record<string, unknown>) => [
    base + n,
    ws,
    `cio${ws}x${n}`,
    `p${n}`,
    null,
    null,
    JSON.stringify(attrs),
    '{}',
    0,
    NOW,
    NOW,
  ];
  const act = (n: number, data: unknown) => [
    activityId(),
    ws,
    base + n,
    null,
    'attribute_change',
    null,
    JSON.stringify(data),
    'test',
    null,
    null,
    NOW,
    0,
  ];
  const event = (n: number, name: string) => [
    ws,
    base + n,
    null,
    `e${ws}${n}${name}`,
    name,
    'event',
    '{}',
    NOW,
    NOW,
  ];
  return [
    [INSERT_PERSON, person(1, { a: 1 })],
    [INSERT_ACTIVITY, act(1, { a: 1 })],
    [INSERT_PERSON, person(2, { b: "it's" })],
    [INSERT_ACTIVITY, act(2, { b: 2, q: HOSTILE })],
    [INSERT_EVENT, event(2, 'first')],
    [INSERT_PERSON, person(3, { c: [1, 2] })],
    [INSERT_EVENT, event(3, 'first')],
    [UPDATE_ATTRIBUTES, [JSON.stringify({ a: 2 }), '{"a":5}', 0, NOW, base + 1, ws]],
    [INSERT_ACTIVITY, act(1, { a: 2 })],
    [UPDATE_ATTRIBUTES, [JSON.stringify({ b: 3, q: HOSTILE }), '{}', 1, NOW, base + 2, ws]],
    [UPDATE_ATTRIBUTES, [JSON.stringify({ a: 3 }), '{"a":6}', 0, NOW + 1, base + 1, ws]],
    // Identifiers move between people: never merged, never moved.
    [UPDATE_IDENTIFIERS, ['p1-new', null, null, '{}', '{}', 0, NOW, base + 1, ws]],
    [UPDATE_IDENTIFIERS, ['p1', 'x@example.com', 'x@example.com', '{"z":1}', '{}', 0, NOW, base + 3, ws]],
    [UPDATE_ATTRIBUTES, [JSON.stringify({ c: 'last' }), '{}', 0, NOW, base + 3, ws]],
    [INSERT_ACTIVITY, act(3, { c: 'last' })],
  ] as const;
}

describe.runIf(postgresAvailable())('held writes merged into set-based statements (PostgreSQL)', () => {
  let database: TestDatabase;
  let dir: string;
  let merged: Store;
  let plain: Store;
  let pool: pg.Pool;
  const ws: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-held-'));
    database = await createTestDatabase('held');
    merged = await openStore({ dataDir: dir, databaseUrl: database.url });
    plain = await openStore({ dataDir: dir, databaseUrl: database.url, pgMergeWrites: false });
    const workspaces = new WorkspaceService(merged, systemClock);
    for (const name of ['merged', 'plain', 'failing', 'twice', 'prepared'])
      ws.push((await workspaces.create({ name })).workspace.id);
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    pool.on('error', () => {});
  });

  afterAll(async () => {
    await pool?.end();
    await merged?.close();
    await plain?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('a v2-batch-like sequence goes as a handful of statements: same tables merged, order kept where it matters', async () => {
    const catalog = new TableCatalog(pool);
    await catalog.fresh();
    const held = new HeldWrites(catalog);
    held.text('begin');
    for (const [s, params] of script(ws[0]!, 900_000)) expect(held.write(s.postgres, params)).toBe(true);
    const statements = held.take().split(';\n');
    expect(statements.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      'begin',
      // people 1-3 (moved before the activity and event rows, which do not need them first)…
      'insert into people',
      // …the activities up to the identifier changes (activities reference no person row)…
      'insert into activities',
      // …events of 2 and 3: events reference people, so none moves before a person inserted…
      'insert into events',
      // …the attribute updates of 1 (twice: the last wins) and 2, as one UPDATE … FROM unnest(…)…
      'update people as',
      // …identifier changes one by one, nothing merged across them…
      'update people set',
      'update people set',
      // …and what follows them.
      'update people set',
      'insert into activities',
    ]);
    // Rows inserted together go as one typed array per column (`insert … select … from unnest`),
    // a value all rows share once: people's pid, cio_id, id and attributes differ, the rest not.
    expect(statements[1]).toContain('from unnest(');
    expect(statements[1]!.match(/::(jsonb|integer|bigint|text)\[\]/g)).toHaveLength(4);
    expect(statements[2]).toContain('from unnest(');
    expect(statements[2]).toContain("'attribute_change'::text");
    // One array per column (attributes, attr_ts, unsubscribed, updated_at, pid, workspace_id)…
    expect(statements[4]).toContain('from unnest(');
    expect(statements[4]!.match(/::(jsonb|integer|bigint)\[\]/g)).toHaveLength(6);
    // …of two rows each (person 1's two updates are one row: the last).
    expect(statements[4]).toContain('$r${0,1}$r$::integer[]');
    expect(statements[5]).toContain("set id = 'p1-new'");
    expect(statements[7]).toContain('set attributes = ');
    expect(held.length).toBe(0);
  });

  it('leaves the database as the same writes one statement at a time would', async () => {
    const run = async (store: Store, workspace: number, base: number) =>
      // Identity locks, as a Track write takes: such transactions merge (the catalog is read first).
      store.transaction(
        async (trx) => {
          for (const [s, params] of script(workspace, base)) await executeLater(trx, s, params);
        },
        { lockKeys: [`held:${workspace}`] },
      );
    await run(merged, ws[0]!, 100_000);
    await run(plain, ws[1]!, 200_000);
    const read = async (workspace: number, base: number) => {
      const people = await queryRows<Record<string, unknown>>(
        merged.db,
        statement(
          'select pid, id, email, attributes, attr_ts, unsubscribed, updated_at from people where workspace_id = ? order by pid',
        ),
        [workspace],
      );
      const activities = await queryRows<Record<string, unknown>>(
        merged.db,
        statement('select person_pid, data from activities where workspace_id = ? order by id'),
        [workspace],
      );
      const events = await queryRows<Record<string, unknown>>(
        merged.db,
        statement('select person_pid, name from events where workspace_id = ? order by seq'),
        [workspace],
      );
      const rel = (rows: Array<Record<string, unknown>>, key: string) =>
        rows.map((r) => ({ ...r, [key]: Number(r[key]) - base }));
      return {
        people: rel(people, 'pid'),
        activities: rel(activities, 'person_pid'),
        events: rel(events, 'person_pid'),
      };
    };
    const a = await read(ws[0]!, 100_000);
    expect(a).toEqual(await read(ws[1]!, 200_000));
    expect(a.people).toEqual([
      expect.objectContaining({ pid: 1, id: 'p1-new', attributes: {}, attr_ts: {} }),
      expect.objectContaining({ pid: 2, id: 'p2', attributes: { b: 3, q: HOSTILE }, unsubscribed: 1 }),
      expect.objectContaining({ pid: 3, id: 'p1', email: 'x@example.com', attributes: { c: 'last' } }),
    ]);
    expect(a.activities.map((r) => r.person_pid)).toEqual([1, 2, 1, 3]);
    expect(a.activities[1]!.data).toEqual({ b: 2, q: HOSTILE });
    expect(a.events.map((e) => e.name)).toEqual(['first', 'first']);
  });

  it('the same person updated twice and nobody else: the last update is what stays', async () => {
    const workspace = ws[3]!;
    const base = 400_000;
    const [insert, params] = script(workspace, base)[0];
    await merged.transaction(async (trx) => executeLater(trx, insert, params), { lockKeys: ['held:twice'] });
    await merged.transaction(
      async (trx) => {
        for (const n of [1, 2, 3])
          await executeLater(trx, UPDATE_ATTRIBUTES, [
            JSON.stringify({ n }),
            '{}',
            0,
            NOW,
            base + 1,
            workspace,
          ]);
      },
      { lockKeys: ['held:twice'] },
    );
    const [row] = await queryRows<{ attributes: unknown }>(
      merged.db,
      statement('select attributes from people where pid = ?'),
      [base + 1],
    );
    expect(row!.attributes).toEqual({ n: 3 });
  });

  it('a COMMIT carries merged UPDATEs as prepared statements, made once per connection and again after a failure', async () => {
    const catalog = new TableCatalog(pool);
    await catalog.fresh();
    const workspace = ws[4]!;
    const base = 500_000;
    const [insert, personParams] = script(workspace, base)[0];
    const update = (n: number) => [JSON.stringify({ n }), '{}', 0, NOW, base + 1, workspace];
    const client = await pool.connect();
    const held = new HeldWrites(catalog, true);
    // Sends what is held with COMMIT, as a DeferringConnection does; settles the held PREPAREs.
    const commit = async (): Promise<string> => {
      const text = held.take(true);
      try {
        await client.query(`begin; ${text};\ncommit`);
        held.settled(true);
      } catch (err) {
        held.settled(false);
        await client.query('rollback');
        throw err;
      }
      return text;
    };
    try {
      held.write(insert.postgres, personParams);
      expect(await commit()).not.toContain('prepare');
      held.write(UPDATE_ATTRIBUTES.postgres, update(1));
      // The person inserted twice fails after the UPDATE's PREPARE has run.
      held.write(insert.postgres, personParams);
      await expect(commit()).rejects.toMatchObject({ code: '23505' });
      // So the next COMMIT prepares the shape under another name (the first exists and is not used).
      held.write(UPDATE_ATTRIBUTES.postgres, update(2));
      const second = await commit();
      expect(second).toMatch(
        /prepare roster_held_2_[0-9a-f]{12} \(jsonb\[\], jsonb\[\], integer\[\], bigint\[\], bigint\[\], bigint\[\]\) as update people as t/,
      );
      // Named by number and by a digest of its shape: another shape's statement never answers to it.
      const name = /prepare (roster_held_2_[0-9a-f]{12}) /.exec(second)![1]!;
      expect(second).toContain(`execute ${name}(`);
      held.write(UPDATE_ATTRIBUTES.postgres, update(3));
      const third = await commit();
      expect(third).not.toContain('prepare');
      expect(third).toContain(`execute ${name}(`);
      const { rows } = await client.query<{ name: string }>(
        "select name from pg_prepared_statements where name like 'roster_held_%' order by name",
      );
      expect(rows.map((r) => r.name)).toEqual([name.replace('_2_', '_1_'), name]);
      const [row] = (
        await client.query<{ attributes: unknown }>('select attributes from people where pid = $1', [
          base + 1,
        ])
      ).rows;
      expect(row!.attributes).toEqual({ n: 3 });
      // Its plan probes the primary key whatever the table's size: here, a few rows.
      await client.query(
        'begin; set local plan_cache_mode = force_generic_plan; set local enable_seqscan = off; set local enable_hashjoin = off; set local enable_mergejoin = off',
      );
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `explain (costs off) execute ${name}('{}', '{}', '{0}', '{0}', '{${base + 1}}', '{${workspace}}')`,
      );
      await client.query('rollback');
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
        /Nested Loop[\s\S]*Index Scan using people_pkey/,
      );
      // Writes sent before a read (not with COMMIT) stay text.
      held.write(UPDATE_ATTRIBUTES.postgres, update(4));
      expect(held.take()).toMatch(/^update people set/);
    } finally {
      client.release();
    }
  });

  it('with SQL PREPARE off (ROSTER_PG_PREPARED_STATEMENTS=protocol) a COMMIT carries merged UPDATEs as text: nothing it makes outlives the transaction', async () => {
    const workspace = ws[4]!;
    for (const sessionPrepare of [true, false]) {
      // One connection: the statements the store's session holds are the ones it made.
      const store = openPostgresStore({ connectionString: database.url, maxConnections: 1, sessionPrepare });
      try {
        const base = sessionPrepare ? 600_000 : 700_000;
        const [insert, personParams] = script(workspace, base)[0];
        // Its own cio_id and id (the test above inserted this workspace's first scripted person).
        const params = [base + 1, workspace, `cio-${base}`, `p-${base}`, ...personParams.slice(4)];
        // Lock keys make them Track-like writes, whose held writes merge.
        const locked = { lockKeys: [`test:${base}`] };
        await store.transaction((trx) => executeLater(trx, insert, params), locked);
        await store.transaction(
          (trx) =>
            executeLater(trx, UPDATE_ATTRIBUTES, [
              JSON.stringify({ n: base }),
              '{}',
              0,
              NOW,
              base + 1,
              workspace,
            ]),
          locked,
        );
        const named = await store.transaction(async (trx) => {
          const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(trx);
          return rows.map((r) => r.name);
        });
        expect(named.some((n) => n.startsWith('roster_held_'))).toBe(sessionPrepare);
        const { rows } = await pool.query<{ attributes: unknown }>(
          'select attributes from people where workspace_id = $1 and pid = $2',
          [workspace, base + 1],
        );
        expect(rows[0]!.attributes).toEqual({ n: base });
      } finally {
        await store.close();
      }
    }
  });

  it('a merged statement that fails fails the transaction, and nothing of it is written', async () => {
    const workspace = ws[2]!;
    const rows = script(workspace, 300_000);
    await expect(
      merged.transaction(
        async (trx) => {
          // The same person twice: the merged people INSERT meets its own primary key.
          for (const [s, params] of [rows[0], rows[1], rows[2], rows[0]]) await executeLater(trx, s, params);
        },
        { lockKeys: [`held:${workspace}`] },
      ),
    ).rejects.toMatchObject({ code: '23505' });
    const [count] = await queryRows<{ n: number }>(
      merged.db,
      statement('select count(*)::int as n from people where workspace_id = ?'),
      [workspace],
    );
    expect(count!.n).toBe(0);
  });
});

describe('quoting a value for an inlined statement', () => {
  it("gives pg's escapeLiteral text for quotes, backslashes, both and neither", () => {
    for (const s of ['', 'plain', "it's", 'a\\b', "it's a \\ back\\slash ''", '{"k":"v\\"q"}', 'ünï ✓'])
      expect(quote(s)).toBe(pg.escapeLiteral(s));
  });
});
