import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTRIBUTE_OPERATORS } from '../../src/filter/ast.js';
import { compileFilter } from '../../src/store/filter/compile-filter.js';
import { insertSegment } from '../../src/store/segments/segments-read.js';
import { evaluate } from '../../src/filter/evaluate.js';
import { parseFilter } from '../../src/filter/parse-filter.js';
import { openStore } from '../../src/store/open-store.js';
import {
  deviceFacts,
  eventFacts,
  membershipsOf,
  personFacts,
  personSnapshot,
} from '../../src/store/segments/segment-state.js';
import { toJson, type Store } from '../../src/store/store.js';
import { relationshipFacts } from '../../src/store/objects/objects-read.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

/**
 * The two evaluators agree: for random people (attributes incl. nested JSON and dotted keys,
 * devices, events, manual memberships, relationships to objects with attributes of their own) and random conditions over the whole language, the compiled
 * SQL selects exactly the people the in-memory evaluator accepts — on SQLite and on PostgreSQL.
 */
const NOW = 1_700_000_000;
const DAY = 86_400;
/**
 * When the seeded events arrived: the real clock, as the write path stores it. Conditions read
 * `timestamp`, never this; PostgreSQL partitions `events` by it from the migration's month on.
 */
const RECEIVED = Math.floor(Date.now() / 1000);

const scalar = fc.oneof(
  fc.constantFrom('pro', 'Pro', 'p', '', '30', '3.5', '-2', '007', 'x.y', 'true', 'ios', '3.16'),
  fc.integer({ min: -3, max: 40 }),
  fc.constantFrom(1.5, 2.25, -0.5, 3.16, 30),
  fc.boolean(),
);
const jsonValue = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ city: scalar, zip: scalar }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) },
);
const personAttrs = fc.dictionary(fc.constantFrom('plan', 'age', 'address', 'a.b', 'a'), jsonValue, {
  maxKeys: 5,
});
const device = fc.record({
  platform: fc.constantFrom('ios', 'android'),
  last_used: fc.integer({ min: NOW - 1000, max: NOW + 1000 }),
  last_status: fc.constantFrom('', 'sent', 'bounced', 'suppressed'),
  attributes: fc.dictionary(
    fc.constantFrom('push_enabled', 'app_version', 'device_model', 'meta'),
    jsonValue,
    {
      maxKeys: 3,
    },
  ),
});
const event = fc.record({
  type: fc.constantFrom('event', 'event', 'page'),
  name: fc.constantFrom('purchase', 'login', 'view'),
  timestamp: fc.integer({ min: NOW - 100 * DAY, max: NOW }),
  data: fc.dictionary(fc.constantFrom('amount', 'plan', 'item'), jsonValue, { maxKeys: 3 }),
});
const person = fc.record({
  id: fc.option(fc.constantFrom('u1', 'u2', '30', 'x.y', 'pro'), { nil: null }),
  email: fc.option(fc.constantFrom('A@x.com', 'b@X.com', 'pro@x.com'), { nil: null }),
  unsubscribed: fc.boolean(),
  attributes: personAttrs,
  devices: fc.array(device, { maxLength: 3 }),
  events: fc.array(event, { maxLength: 6 }),
  segments: fc.subarray([1, 2]),
  // Relationships to the scenario's objects (by index), each with attributes of its own.
  relationships: fc.uniqueArray(
    fc.record({
      object: fc.integer({ min: 0, max: 3 }),
      attributes: fc.dictionary(fc.constantFrom('role', 'since', 'meta'), jsonValue, { maxKeys: 2 }),
    }),
    { maxLength: 3, selector: (r) => r.object },
  ),
});
/** The objects people relate to: four per scenario, of types "1" and "2". */
const objectArb = fc.record({
  type: fc.constantFrom('1', '2'),
  id: fc.constantFrom('acme', 'pro', '30', 'x.y'),
  attributes: fc.dictionary(fc.constantFrom('plan', 'seats', 'address', 'object_id'), jsonValue, {
    maxKeys: 3,
  }),
});

type Raw = Record<string, unknown>;
type Generated = typeof person extends fc.Arbitrary<infer T> ? T : never;

/**
 * Conditions are built over a value pool drawn from the generated people (their texts, prefixes and
 * case variants), so comparisons hit stored values often instead of almost never.
 */
function conditionArb(pool: readonly unknown[]): fc.Arbitrary<Raw> {
  const value = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: scalar },
  );
  const operatorValue = (op: string): fc.Arbitrary<unknown> => {
    if (op === 'exists') return fc.constant(undefined);
    if (['gt', 'gte', 'lt', 'lte'].includes(op))
      return fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(1.5, 3.16, '2', NOW - 500));
    if (op === 'in') return fc.array(value, { minLength: 1, maxLength: 3 });
    return value;
  };
  const attribute = (fields: readonly string[]) =>
    fc
      .record({
        field: fc.constantFrom(...fields),
        operator: fc.constantFrom(...ATTRIBUTE_OPERATORS),
        inverse: fc.boolean(),
      })
      .chain((a) =>
        operatorValue(a.operator).map((v) => ({
          attribute: {
            field: a.field,
            operator: a.operator,
            inverse: a.inverse,
            ...(v === undefined ? {} : { value: v }),
          },
        })),
      );
  const eventNode = fc
    .record({
      name: fc.constantFrom('purchase', 'login', 'view'),
      type: fc.option(fc.constantFrom('event', 'page'), { nil: undefined }),
      count: fc.option(
        fc.record({
          operator: fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte'),
          value: fc.integer({ min: 0, max: 3 }),
        }),
        { nil: undefined },
      ),
      within: fc.option(fc.constantFrom('30d', '12h', '90m', '60d', '2w'), { nil: undefined }),
      where: fc.option(boolTree(attribute(DATA_FIELDS), 1), { nil: undefined }),
    })
    .map((e) => ({ event: Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) }));
  const objectNode = fc
    .record({
      type_id: fc.constantFrom('1', '2'),
      where: fc.option(boolTree(attribute(OBJECT_FIELDS), 1), { nil: undefined }),
      relationship: fc.option(boolTree(attribute(RELATIONSHIP_FIELDS), 1), { nil: undefined }),
    })
    .map((o) => ({ object: Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) }));
  const personLeaf: fc.Arbitrary<Raw> = fc.oneof(
    { weight: 5, arbitrary: attribute(PERSON_FIELDS) },
    { weight: 1, arbitrary: fc.constantFrom(1, 2).map((id) => ({ segment: { id } })) },
    { weight: 2, arbitrary: boolTree(attribute(DEVICE_FIELDS), 2).map((f) => ({ device: f })) },
    { weight: 2, arbitrary: eventNode },
    { weight: 2, arbitrary: objectNode },
  );
  // Single leaves often (each operator on its own is where the evaluators could differ), trees too.
  return fc.oneof(personLeaf, boolTree(personLeaf, 3));
}

function valuePool(
  people: ReadonlyArray<Generated>,
  objects: ReadonlyArray<{ id: string; attributes: Record<string, unknown> }> = [],
): unknown[] {
  const out = new Set<unknown>(['pro', 30]);
  const add = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (typeof v === 'object') return Object.values(v as Raw).forEach(add);
    out.add(v);
    const t = String(v);
    for (const variant of [t, t.slice(0, 1), t.slice(1), t.toLowerCase(), t.toUpperCase()]) out.add(variant);
  };
  for (const p of people) {
    add(p.id);
    add(p.email);
    add(p.attributes);
    for (const d of p.devices) add([d.platform, d.last_status, d.attributes]);
    for (const e of p.events) add(e.data);
    for (const r of p.relationships) add(r.attributes);
  }
  for (const o of objects) add([o.id, o.attributes]);
  return [...out];
}

const PERSON_FIELDS = [
  'id',
  'email',
  'cio_id',
  'unsubscribed',
  'plan',
  'age',
  'address.city',
  'address.zip',
  'a.b',
  'a\\.b',
  'a',
];
const DEVICE_FIELDS = [
  'platform',
  'last_used',
  '_last_status',
  'push_enabled',
  'app_version',
  'meta.city',
  'id',
];
const DATA_FIELDS = ['amount', 'plan', 'item', 'item.city'];
const OBJECT_FIELDS = ['plan', 'seats', 'address.city', 'object_id', 'cio_object_id'];
const RELATIONSHIP_FIELDS = ['role', 'since', 'meta.city'];

const boolTree = (leaf: fc.Arbitrary<Raw>, depth: number): fc.Arbitrary<Raw> =>
  depth <= 0
    ? leaf
    : fc.oneof(
        { weight: 3, arbitrary: leaf },
        {
          weight: 1,
          arbitrary: fc
            .array(boolTree(leaf, depth - 1), { minLength: 1, maxLength: 3 })
            .map((c) => ({ and: c })),
        },
        {
          weight: 1,
          arbitrary: fc
            .array(boolTree(leaf, depth - 1), { minLength: 1, maxLength: 3 })
            .map((c) => ({ or: c })),
        },
        { weight: 1, arbitrary: boolTree(leaf, depth - 1).map((c) => ({ not: c })) },
      );
const scenario = fc
  .record({
    people: fc.array(person, { minLength: 1, maxLength: 8 }),
    objects: fc.uniqueArray(objectArb, { minLength: 4, maxLength: 4, selector: (o) => `${o.type}:${o.id}` }),
  })
  .chain(({ people, objects }) =>
    fc
      .array(conditionArb(valuePool(people, objects)), { minLength: 1, maxLength: 30 })
      .map((conditions) => ({ people, objects, conditions })),
  );

describe.each(engines())('segment evaluators agree (%s)', (engine) => {
  let store: Store;
  let dataDir: string;
  let database: TestDatabase | undefined;
  let segA = 0;
  let segB = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'roster-seg-prop-'));
    if (engine === 'postgres') database = await createTestDatabase('segprop');
    store = await openStore({ databaseUrl: database?.url, dataDir });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function seed(
    people: Array<Generated>,
    objects: Array<{ type: string; id: string; attributes: Record<string, unknown> }>,
  ): Promise<{ ws: number; pids: number[] }> {
    const ws = Number(
      (
        await store.db
          .insertInto('workspaces')
          .values({
            site_id: randomBytes(8).toString('hex'),
            name: 'prop',
            track_key_hash: randomBytes(16).toString('hex'),
            app_key_hash: randomBytes(16).toString('hex'),
            identifier_mode: 'email_or_id',
            settings: '{}',
            created_at: NOW,
            updated_at: NOW,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
    // Segment ids 1 and 2 in conditions map to this workspace's two manual segments.
    const seg = async (name: string) =>
      (await insertSegment(store.db, { workspaceId: ws, name, description: '', now: NOW })).id;
    segA = await seg('A');
    segB = await seg('B');
    const oids: number[] = [];
    for (const o of objects)
      oids.push(
        Number(
          (
            await store.db
              .insertInto('objects')
              .values({
                workspace_id: ws,
                type_id: o.type,
                object_id: o.id,
                cio_object_id: `ob${randomBytes(8).toString('hex')}`,
                attributes: toJson(o.attributes),
                attr_ts: '{}',
                created_at: NOW,
                updated_at: NOW,
              })
              .returning('oid')
              .executeTakeFirstOrThrow()
          ).oid,
        ),
      );
    const pids: number[] = [];
    let n = 0;
    for (const p of people) {
      n++;
      const row = await store.db
        .insertInto('people')
        .values({
          workspace_id: ws,
          cio_id: randomBytes(8).toString('hex'),
          // Identifiers are unique per workspace: keep the generated one for the first holder only.
          id: p.id && !people.slice(0, n - 1).some((q) => q.id === p.id) ? p.id : null,
          email:
            p.email && !people.slice(0, n - 1).some((q) => q.email?.toLowerCase() === p.email!.toLowerCase())
              ? p.email
              : null,
          email_norm: null,
          attributes: toJson(p.attributes),
          attr_ts: '{}',
          unsubscribed: p.unsubscribed ? 1 : 0,
          created_at: NOW,
          updated_at: NOW,
        })
        .returning('pid')
        .executeTakeFirstOrThrow();
      const pid = Number(row.pid);
      await sql`update people set email_norm = lower(email) where pid = ${pid}`.execute(store.db);
      pids.push(pid);
      let t = 0;
      for (const d of p.devices)
        await store.db
          .insertInto('devices')
          .values({
            workspace_id: ws,
            token: `${pid}-${t++}`,
            person_pid: pid,
            platform: d.platform,
            last_used: d.last_used,
            attributes: toJson(d.attributes),
            last_status: d.last_status,
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      for (const e of p.events)
        await store.db
          .insertInto('events')
          .values({
            workspace_id: ws,
            event_id: randomBytes(8).toString('hex'),
            person_pid: pid,
            anonymous_id: null,
            type: e.type,
            name: e.name,
            data: toJson(e.data),
            timestamp: e.timestamp,
            created_at: RECEIVED,
          })
          .execute();
      for (const r of p.relationships)
        await store.db
          .insertInto('relationships')
          .values({
            workspace_id: ws,
            person_pid: pid,
            object_oid: oids[r.object]!,
            attributes: toJson(r.attributes),
            attr_ts: '{}',
            created_at: NOW,
            updated_at: NOW,
          })
          .execute();
      for (const s of p.segments)
        await store.db
          .insertInto('segment_memberships')
          .values({ workspace_id: ws, segment_id: s === 1 ? segA : segB, person_pid: pid, entered_at: NOW })
          .execute();
    }
    return { ws, pids };
  }

  /** Conditions name segments 1 and 2; the store's ids differ per workspace. */
  function remap(raw: unknown): unknown {
    if (Array.isArray(raw)) return raw.map(remap);
    if (raw && typeof raw === 'object') {
      const o = raw as Raw;
      if ('segment' in o) return { segment: { id: (o.segment as { id: number }).id === 1 ? segA : segB } };
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'attribute' ? v : remap(v)]));
    }
    return raw;
  }

  it('SQL and in-memory evaluation select the same people', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ people, objects, conditions }) => {
        const { ws, pids } = await seed(people, objects);
        const facts = [];
        for (const pid of pids) {
          const memberships = await membershipsOf(store.db, ws, pid);
          // The one-statement snapshot a write reads equals the separate reads.
          const snap = await personSnapshot(store.db, store.dialect, ws, pid, {
            devices: true,
            eventNames: new Set(['purchase', 'login', 'view']),
            eventData: true,
          });
          const byKey = <T>(xs: T[]) =>
            [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
          expect(snap.person).toEqual(
            await personFacts(store.db, ws, pid).then((p) => p && { ...p, workspaceId: undefined }),
          );
          expect(snap.memberships).toEqual(memberships);
          expect(byKey(snap.devices!)).toEqual(byKey(await deviceFacts(store.db, ws, pid)));
          expect(byKey(snap.events!)).toEqual(
            byKey(await eventFacts(store.db, ws, pid, new Set(['purchase', 'login', 'view']), true)),
          );
          facts.push({
            pid,
            person: (await personFacts(store.db, ws, pid))!,
            devices: await deviceFacts(store.db, ws, pid),
            events: await eventFacts(store.db, ws, pid, new Set(['purchase', 'login', 'view']), true),
            relationships: await relationshipFacts(store.db, ws, pid, new Set(['1', '2'])),
            memberships,
          });
        }
        for (const c of conditions) {
          const ast = parseFilter(remap(c));
          const rows = await sql<{
            pid: number;
          }>`select p.pid from people as p where p.workspace_id = ${ws} and ${compileFilter(ast, store.dialect, { now: NOW })} order by p.pid`.execute(
            store.db,
          );
          const bySql = rows.rows.map((r) => Number(r.pid));
          const inMemory = facts
            .filter((f) =>
              evaluate(ast, {
                person: f.person,
                devices: f.devices,
                events: f.events,
                relationships: f.relationships,
                now: NOW,
                inSegment: (id) => f.memberships.has(id),
              }),
            )
            .map((f) => f.pid);
          expect({ condition: c, pids: bySql }).toEqual({ condition: c, pids: inMemory });
        }
      }),
      { numRuns: Number(process.env.SEGMENT_PROPERTY_RUNS ?? 200) },
    );
  }, 240_000);
});
