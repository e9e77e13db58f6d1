import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services/services.js';
import { openStore } from '../../src/store/open-store.js';
import { parseJson, type Store } from '../../src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

/**
 * Random sequences of identify (with and without `_timestamp`), delete and device add/delete/move
 * leave the store equal to a small reference model of Roster's rules: partial merge, null/"" remove,
 * per-attribute last-write-wins, one owner per token, delete takes devices along.
 */
type Value = number | string | null | { n: number };
type Op =
  | { kind: 'identify'; id: string; attrs: Record<string, Value>; ts: number | undefined; at: number }
  | { kind: 'delete'; id: string; at: number }
  | { kind: 'addDevice'; id: string; token: string; at: number }
  | { kind: 'deleteDevice'; id: string; token: string; at: number };

interface ModelPerson {
  attrs: Map<string, unknown>;
  ts: Map<string, number>;
}

class Model {
  people = new Map<string, ModelPerson>();
  tokens = new Map<string, string>();

  private ensure(id: string): ModelPerson {
    let p = this.people.get(id);
    if (!p) this.people.set(id, (p = { attrs: new Map(), ts: new Map() }));
    return p;
  }

  apply(op: Op): void {
    switch (op.kind) {
      case 'identify': {
        const p = this.ensure(op.id);
        const at = op.ts ?? op.at;
        for (const [k, v] of Object.entries(op.attrs)) {
          if (at < (p.ts.get(k) ?? -Infinity)) continue;
          p.ts.set(k, at);
          if (v === null || v === '') p.attrs.delete(k);
          else p.attrs.set(k, v);
        }
        return;
      }
      case 'delete':
        this.people.delete(op.id);
        for (const [t, owner] of this.tokens) if (owner === op.id) this.tokens.delete(t);
        return;
      case 'addDevice':
        this.ensure(op.id);
        this.tokens.set(op.token, op.id);
        return;
      case 'deleteDevice':
        if (this.tokens.get(op.token) === op.id) this.tokens.delete(op.token);
        return;
    }
  }
}

const ids = fc.constantFrom('u1', 'u2', 'u3');
const tokens = fc.constantFrom('t1', 't2', 't3');
const value: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>(1, 'x', 'y', null, ''),
  fc.integer({ min: 0, max: 3 }).map((n) => ({ n })),
);
const opArb: fc.Arbitrary<Omit<Op, 'at'>> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('identify' as const),
      id: ids,
      attrs: fc.dictionary(fc.constantFrom('a', 'b', 'c'), value, { maxKeys: 3 }),
      ts: fc.option(fc.integer({ min: 1_000, max: 1_020 }), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: ids }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('addDevice' as const), id: ids, token: tokens }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteDevice' as const), id: ids, token: tokens }) },
);
// Receive times step forward 0–3 s per request, overlapping the `_timestamp` range.
const program = fc.array(fc.tuple(opArb, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 25 });

describe.each(engines())('Track writes match the reference model on %s', (engine) => {
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let dir: string;
  let database: TestDatabase | undefined;
  let nowMs = 1_000_000;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-prop-'));
    if (engine === 'postgres') database = await createTestDatabase('track_prop');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    ({ app, services } = await buildApp({ store, clock: { now: () => nowMs } }));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after any sequence of writes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(program, async (steps) => {
        // A fresh workspace per run keeps runs apart without a fresh database.
        run++;
        const { workspace, credentials } = await services.workspaces.create({
          siteId: `prop${run}${Math.random().toString(36).slice(2, 8)}`,
        });
        const auth = `Basic ${Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64')}`;
        const model = new Model();
        let at = 1_000;
        for (const [raw, step] of steps) {
          at += step;
          nowMs = at * 1000;
          const op = { ...raw, at } as Op;
          model.apply(op);
          const req =
            op.kind === 'identify'
              ? {
                  method: 'PUT' as const,
                  url: `/api/v1/customers/${op.id}`,
                  payload: { ...op.attrs, ...(op.ts ? { _timestamp: op.ts } : {}) },
                }
              : op.kind === 'delete'
                ? { method: 'DELETE' as const, url: `/api/v1/customers/${op.id}` }
                : op.kind === 'addDevice'
                  ? {
                      method: 'PUT' as const,
                      url: `/api/v1/customers/${op.id}/devices`,
                      payload: { device: { id: op.token, platform: 'ios' } },
                    }
                  : { method: 'DELETE' as const, url: `/api/v1/customers/${op.id}/devices/${op.token}` };
          const res = await app.inject({ ...req, headers: { authorization: auth } });
          expect(res.statusCode, res.body).toBe(200);
        }
        const people = await store.db
          .selectFrom('people')
          .select(['pid', 'id', 'attributes'])
          .where('workspace_id', '=', workspace.id)
          .execute();
        const actual = Object.fromEntries(people.map((p) => [p.id, parseJson(p.attributes)]));
        const expected = Object.fromEntries(
          [...model.people].map(([id, p]) => [id, Object.fromEntries(p.attrs)]),
        );
        expect(actual).toEqual(expected);
        const byPid = new Map(people.map((p) => [p.pid, p.id]));
        const devices = await store.db
          .selectFrom('devices')
          .select(['token', 'person_pid'])
          .where('workspace_id', '=', workspace.id)
          .execute();
        expect(Object.fromEntries(devices.map((d) => [d.token, byPid.get(d.person_pid)]))).toEqual(
          Object.fromEntries(model.tokens),
        );
      }),
      { numRuns: engine === 'sqlite' ? 150 : 30 },
    );
  }, 120_000);
});
