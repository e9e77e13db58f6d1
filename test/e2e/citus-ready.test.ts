import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../packages/server/src/store/open-store.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';
import { COORDINATOR_TABLES, REFERENCE_TABLES } from './citus-tables.js';

/**
 * Ready to shard by workspace (docs/scaling.md "Past one database"): on the migrated PostgreSQL
 * schema, every table that grows with a workspace's data has a `workspace_id` column, and its
 * primary key and every unique index include it, so a distributed PostgreSQL (Citus) can shard it
 * by `workspace_id`. The global lookup tables are listed here explicitly as reference tables.
 *
 * Tables that still break the rule are listed in `NOT_YET` with what they need; the test fails on a
 * new table or index that breaks it, and also when a listed table stops breaking it (take it off the
 * list and out of docs/scaling.md's list then).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Tables that grow with a workspace but do not follow the rule yet: table → what is missing. */
const NOT_YET: Record<string, string> = {};

describe.runIf(postgresAvailable())('the PostgreSQL schema is ready to shard by workspace', () => {
  let dir: string;
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-citus-'));
    database = await createTestDatabase('citus');
    store = await openStore({ dataDir: dir, databaseUrl: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keys every workspace table by workspace_id, apart from the listed reference tables', async () => {
    const tables = await sql<{ name: string; has_ws: boolean; partitioned: boolean }>`
      select c.relname as name, c.relkind = 'p' as partitioned,
        exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id'
                and not a.attisdropped) as has_ws
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition
      order by 1`.execute(store.db);
    const badIndexes = await sql<{ table: string; index: string; def: string }>`
      select t.relname as table, x.relname as index, pg_get_indexdef(i.indexrelid) as def
      from pg_index i join pg_class t on t.oid = i.indrelid join pg_class x on x.oid = i.indexrelid
      join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = current_schema() and i.indisunique and not t.relispartition
        and not exists (select 1 from pg_attribute a where a.attrelid = t.oid and a.attname = 'workspace_id'
                        and a.attnum = any (i.indkey))
      order by 1, 2`.execute(store.db);

    // A foreign key between two sharded tables must carry workspace_id too (Citus co-locates them).
    const badForeignKeys = await sql<{ table: string; def: string }>`
      select c.conrelid::regclass::text as table, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = current_schema() and c.contype = 'f' and c.conparentid = 0
        and not exists (select 1 from pg_attribute a where a.attrelid = c.conrelid and a.attname = 'workspace_id'
                        and a.attnum = any (c.conkey))
      order by 1, 2`.execute(store.db);

    const exempt = new Set([...REFERENCE_TABLES, ...COORDINATOR_TABLES]);
    const problems = new Map<string, string[]>();
    const add = (table: string, what: string) => problems.set(table, [...(problems.get(table) ?? []), what]);
    for (const t of tables.rows) if (!exempt.has(t.name) && !t.has_ws) add(t.name, 'no workspace_id column');
    for (const i of badIndexes.rows) if (!exempt.has(i.table)) add(i.table, `${i.def} lacks workspace_id`);
    for (const f of badForeignKeys.rows)
      if (!exempt.has(f.table) && !exempt.has(f.def.replace(/^.* REFERENCES (\w+)\(.*$/, '$1')))
        add(f.table, `${f.def} lacks workspace_id`);

    const names = new Set(tables.rows.map((t) => t.name));
    for (const t of [...exempt, ...Object.keys(NOT_YET)])
      expect(names, `listed table ${t} exists`).toContain(t);
    // A table or unique index that breaks the rule and is not on the list:
    expect([...problems].filter(([t]) => !(t in NOT_YET))).toEqual([]);
    // A listed table that follows the rule now: take it off NOT_YET (and docs/scaling.md).
    expect(Object.keys(NOT_YET).filter((t) => !problems.has(t))).toEqual([]);
    // docs/scaling.md's Citus calls name exactly these tables: every other table with workspace_id
    // distributed, the listed reference tables copied to every node.
    const docs = readFileSync(path.join(ROOT, 'docs/scaling.md'), 'utf8');
    const block = /```sql\n(-- Small global lookups[\s\S]*?)```/.exec(docs)?.[1] ?? '';
    const referenced = [...block.matchAll(/create_reference_table\('(\w+)'\)/g)].map((m) => m[1]);
    const distributed = [
      ...block.matchAll(/create_distributed_table\('(\w+)'/g),
      ...(/unnest\(array\[([^\]]*)\]/.exec(block)?.[1] ?? '').matchAll(/'(\w+)'/g),
    ].map((m) => m[1]);
    expect(referenced.sort()).toEqual([...REFERENCE_TABLES].sort());
    expect(distributed.sort()).toEqual(
      tables.rows
        .filter((t) => t.has_ws && !exempt.has(t.name))
        .map((t) => t.name)
        .sort(),
    );
    // The history tables are partitioned by time and keyed by workspace.
    expect(tables.rows.filter((t) => t.partitioned).map((t) => t.name)).toEqual(['activities', 'events']);
  });
});
