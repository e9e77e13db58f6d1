import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../packages/server/src/store/migrations/index.js';
import { openStore } from '../../packages/server/src/store/open-store.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { differences } from './conforms.js';

/**
 * Upgrading in place: a database written by a previous release (test/upgrade/fixtures/<commit>,
 * made by scripts/upgrade-fixture/build.sh) is restored, the current `roster serve` starts on it
 * and runs whatever migrations the current list holds (every one added since that release, so a new
 * migration is covered by adding it), and then every App API read must answer as that release did.
 */
/**
 * What legitimately differs between two answers to the same read: an error's reference is new for
 * every request.
 */
const VOLATILE: Array<[RegExp, string]> = [[/\(reference [0-9A-HJKMNP-TV-Z]{26}\)/g, '(reference …)']];

function normalise(value: unknown): unknown {
  if (typeof value === 'string') return VOLATILE.reduce((v, [re, to]) => v.replace(re, to), value);
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Recorded {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  status: number;
  response: unknown;
}

interface Expected {
  commit: string;
  engine: 'sqlite' | 'postgres';
  credentials: { siteId: string; apiKey: string; appApiKey: string };
  reads: Recorded[];
}

/** Replays a `pg_dump --inserts` file into a fresh database through the pg client (no psql needed). */
async function restorePostgres(url: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(readFileSync(file, 'utf8'));
  } finally {
    await client.end();
  }
}

const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).sort() : [];

describe.each(fixtures)('upgrading a database made by release %s', (release) => {
  describe.each(engines())('on %s', (engine) => {
    const dir = path.join(FIXTURES, release);
    const expected = JSON.parse(readFileSync(path.join(dir, `expected-${engine}.json`), 'utf8')) as Expected;
    let server: ServerProcess;
    let database: TestDatabase | undefined;
    /** The migrations the old release had applied. */
    let before: number[] = [];

    beforeAll(async () => {
      let dataDir: string | undefined;
      if (engine === 'sqlite') {
        // A copy: the committed file stays as the old release left it.
        dataDir = mkdtempSync(path.join(tmpdir(), 'roster-upgrade-'));
        copyFileSync(path.join(dir, 'roster.db'), path.join(dataDir, 'roster.db'));
        const db = new Database(path.join(dataDir, 'roster.db'), { readonly: true });
        before = (
          db.prepare('select version from roster_migrations').all() as Array<{ version: number }>
        ).map((r) => r.version);
        db.close();
      } else {
        database = await createTestDatabase('upgrade');
        await restorePostgres(database.url, path.join(dir, 'postgres.sql'));
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        before = (await client.query<{ version: number }>('select version from roster_migrations')).rows.map(
          (r) => Number(r.version),
        );
        await client.end();
      }
      expect(before.length).toBeGreaterThan(0);
      server = await startServer({
        engine,
        ...(dataDir ? { dataDir } : {}),
        ...(database ? { databaseUrl: database.url, database } : {}),
        credentials: expected.credentials,
        ownStore: true,
        env: { ROSTER_LOG_LEVEL: 'info', ROSTER_DELIVERY_WORKER: '0', ROSTER_SEGMENT_RECHECK_SECONDS: '0' },
      });
    }, 120_000);

    afterAll(async () => {
      await server?.cleanup();
    });

    it('runs every migration of this release, once each', async () => {
      const store = await openStore({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
      try {
        const rows = await store.db.selectFrom('roster_migrations').select('version').execute();
        expect(rows.map((r) => Number(r.version)).sort((a, b) => a - b)).toEqual(
          migrations.map((m) => m.version).sort((a, b) => a - b),
        );
      } finally {
        await store.close();
      }
      // Each migration the upgrade applied is logged, with how long it took; the old ones are not rerun.
      for (const m of migrations) {
        const line = new RegExp(`migration ${m.version} ${m.name} applied in \\d+ ms`);
        if (before.includes(m.version)) expect(server.output()).not.toMatch(line);
        else expect(server.output()).toMatch(line);
      }
    });

    it(`answers every App API read as release ${release} did`, async () => {
      const failures: string[] = [];
      for (const read of expected.reads) {
        const res = await fetch(`${server.url}${read.path}`, {
          method: read.method,
          headers: {
            authorization: `Bearer ${expected.credentials.appApiKey}`,
            ...(read.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: read.body === undefined ? undefined : JSON.stringify(read.body),
        });
        const text = await res.text();
        const got = text ? (JSON.parse(text) as unknown) : null;
        if (res.status !== read.status)
          failures.push(`${read.method} ${read.path}: ${res.status}, was ${read.status}`);
        for (const d of differences(normalise(got), normalise(read.response)))
          failures.push(`${read.method} ${read.path}: ${d}`);
      }
      expect(failures).toEqual([]);
      expect(expected.reads.length).toBeGreaterThan(100);
    }, 120_000);

    // After the reads (which must see the old release's data as it was): the Track write path runs
    // on the upgraded schema, e.g. PostgreSQL's identify read through roster_person_view (140).
    it('takes identifies of a known and of a new person after the upgrade', async () => {
      const { siteId, apiKey, appApiKey } = expected.credentials;
      const track = `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`;
      for (const [id, body] of [
        ['user-01', { plan: 'upgraded' }],
        ['after-upgrade', { email: 'after-upgrade@example.com', plan: 'new' }],
      ] as const) {
        const put = await fetch(`${server.url}/api/v1/customers/${id}`, {
          method: 'PUT',
          headers: { authorization: track, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(put.status, await put.text()).toBe(200);
        const res = await fetch(`${server.url}/v1/customers/${id}/attributes`, {
          headers: { authorization: `Bearer ${appApiKey}` },
        });
        const got = (await res.json()) as { customer: { attributes: Record<string, unknown> } };
        expect(got.customer.attributes.plan).toBe(body.plan);
      }
    }, 120_000);

    // Events the old release stored keep their dedupe (PostgreSQL reads event ids through
    // roster_event_view since migration 151): replaying one stores nothing, a new id is stored.
    it("keeps the old release's event ids: a replayed id stores nothing, a new one is stored", async () => {
      const { siteId, apiKey } = expected.credentials;
      const store = await openStore({ dataDir: server.dataDir, databaseUrl: server.databaseUrl });
      const count = async () =>
        Number(
          (
            await store.db
              .selectFrom('events')
              .select((e) => e.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      try {
        const old = await store.db
          .selectFrom('events')
          .innerJoin('people', 'people.pid', 'events.person_pid')
          .select(['events.event_id as eventId', 'people.id as id'])
          .where('people.id', 'is not', null)
          .orderBy('events.seq')
          .executeTakeFirstOrThrow();
        const before = await count();
        const post = async (id: string) => {
          const res = await fetch(`${server.url}/api/v1/customers/${old.id}/events`, {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ id, name: 'replayed', data: {} }),
          });
          expect(res.status, await res.text()).toBe(200);
        };
        await post(old.eventId);
        expect(await count()).toBe(before);
        await post('01HZX3Q8Y6V1M9K2D4F7B0C5NF');
        await post('01HZX3Q8Y6V1M9K2D4F7B0C5NF');
        expect(await count()).toBe(before + 1);
      } finally {
        await store.close();
      }
    }, 120_000);

    it('starts again on the upgraded database without migrating anything', async () => {
      server = await server.restart();
      expect(server.output()).not.toMatch(/migrations: applying/);
      const res = await fetch(`${server.url}/v1/segments`, {
        headers: { authorization: `Bearer ${expected.credentials.appApiKey}` },
      });
      expect(res.status).toBe(200);
    }, 120_000);
  });
});
