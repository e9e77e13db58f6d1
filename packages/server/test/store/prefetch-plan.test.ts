import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { PREFETCH } from '../../src/store/track/person-view.js';
import { PERSON_VIEW_FUNCTION } from '../../src/store/migrations/140-person-view-function.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { systemClock } from '../../src/lib/clock.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../../test/helpers/postgres.js';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

/** A value as PostgreSQL's text input (an array: `{"a","b"}`; these values need no escaping). */
function literal(value: unknown): string {
  return Array.isArray(value) ? `{${value.map((v) => `"${String(v)}"`).join(',')}}` : String(value);
}

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

/**
 * The statement a PostgreSQL Track transaction reads its people with (the body of
 * roster_person_view, migration 140; store/track/person-view.ts) probes each identifier through its
 * unique index whatever the planner knows: on a workspace whose people were never analyzed (a new
 * database filling up, autovacuum not yet round), an earlier form was planned as a scan of every
 * person of the workspace, 71 ms per v2 batch at 55,000 people. The function runs its body with a
 * generic plan (planned once per connection, for any arguments): that is the plan checked here.
 */
const BODY = /return query\s+([\s\S]*?);\s*end\s*\$body\$/
  .exec(PERSON_VIEW_FUNCTION)![1]!
  .replace(/\bp_workspace\b/g, '$1::bigint')
  .replace(/\bp_ids\b/g, '$2::text[]')
  .replace(/\bp_emails\b/g, '$3::text[]')
  .replace(/\bp_cio_ids\b/g, '$4::text[]')
  .replace(/\bp_new_people\b/g, '$5::int');
describe.runIf(postgresAvailable())('the batch prefetch on PostgreSQL', () => {
  let store: Store;
  let dir: string;
  let database: TestDatabase;
  let client: pg.Client;
  let workspaceId: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-prefetch-'));
    database = await createTestDatabase('prefetchplan');
    store = await openStore({ dataDir: dir, databaseUrl: database.url });
    workspaceId = (await new WorkspaceService(store, systemClock).create()).workspace.id;
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // No statistics, ever: the state of a table filling up before autovacuum analyzes it.
    await client.query('alter table people set (autovacuum_enabled = false)');
    await client.query(
      `insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
       select $1::bigint, lpad(to_hex(i), 16, '0'), 'user-' || i, 'user' || i || '@example.com', 'user' || i || '@example.com',
              '{}'::jsonb, '{}'::jsonb, 0, 1700000000, 1700000000
       from generate_series(1, 20000) as i`,
      [workspaceId],
    );
  });

  afterAll(async () => {
    await client?.end();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('reads people only through index conditions on the identifiers, and finds them', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `user-${i * 7 + 1}`);
    const emails = ['user3@example.com', 'nobody@example.com'];
    const cioIds = [(5).toString(16).padStart(16, '0')];
    const params = [workspaceId, ids, emails, cioIds, 0];
    const stats = await client.query<{ n: string }>(
      "select count(*) as n from pg_stats where tablename = 'people' and attname = 'workspace_id'",
    );
    expect(Number(stats.rows[0]!.n)).toBe(0);
    await client.query('set plan_cache_mode = force_generic_plan');
    await client.query(`prepare body(bigint, text[], text[], text[], int) as ${BODY}`);
    const explained = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `explain (format json) execute body(${params.map((p) => client.escapeLiteral(literal(p))).join(', ')})`,
    );
    const scans = nodes(explained.rows[0]!['QUERY PLAN'][0]!.Plan).filter((n) =>
      /^(people|suppressions)/.test(n['Relation Name'] ?? n['Index Name'] ?? ''),
    );
    expect(scans.length).toBeGreaterThan(0);
    // Each a probe of a unique index by value: no scan of the workspace, no hash of its people.
    for (const scan of scans) {
      expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
      expect(scan['Index Cond']).toMatch(/\b(id|email_norm|cio_id|value) = /);
    }
    const [row] = (await client.query<{ people: Array<{ id: string }> }>(PREFETCH.postgres, params)).rows;
    expect(new Set(row!.people.map((p) => p.id))).toEqual(new Set([...ids, 'user-3', 'user-5']));
  });
});
