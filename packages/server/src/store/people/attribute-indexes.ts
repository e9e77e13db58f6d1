import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { AttributeIndexesTable } from '../schema/index.js';
import type { Store, Tx } from '../store.js';
import {
  attributeIndexExpression,
  type AttributeIndexKind,
  type IndexedAttributes,
} from '../filter/compile-filter.js';

/**
 * Indexed person attributes (docs/app-api.md "Indexed attributes"): the registry (migration 098)
 * and the indexes themselves. Each is a partial expression index over one workspace's people,
 * `(workspace_id, <value view>, pid) where workspace_id = W`: the value view is the exact text
 * (`text`, for eq/in) or number (`number`, for ranges) the filter compiler compares, so a filter
 * on the attribute compiles to the indexed expression (compile-filter.ts `indexedAttribute`).
 */
export type AttributeIndexRow = Selectable<AttributeIndexesTable>;

export async function listAttributeIndexes(db: Tx, workspaceId: number): Promise<AttributeIndexRow[]> {
  return db
    .selectFrom('attribute_indexes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('name')
    .orderBy('kind')
    .execute();
}

/** Every registry row still building, any workspace (what a server resumes after a restart). */
export async function buildingAttributeIndexes(db: Tx): Promise<AttributeIndexRow[]> {
  return db.selectFrom('attribute_indexes').selectAll().where('status', '=', 'building').execute();
}

/** The workspace's attributes whose index is ready, for the filter compiler. */
export async function readyAttributeIndexes(db: Tx, workspaceId: number): Promise<IndexedAttributes> {
  const rows = await db
    .selectFrom('attribute_indexes')
    .select(['name', 'kind'])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'ready')
    .execute();
  const text = new Set<string>();
  const number = new Set<string>();
  for (const r of rows) (r.kind === 'number' ? number : text).add(r.name);
  return { workspaceId, text, number };
}

/**
 * Registers an attribute index as `building` (a failed one starts again). Returns the row and
 * whether a build must start (false when it is already building or ready).
 */
export async function registerAttributeIndex(
  db: Tx,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
  now: number,
): Promise<{ row: AttributeIndexRow; build: boolean }> {
  const existing = await db
    .selectFrom('attribute_indexes')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('kind', '=', kind)
    .executeTakeFirst();
  if (existing && existing.status !== 'failed') return { row: existing, build: false };
  const row = {
    workspace_id: workspaceId,
    name,
    kind,
    status: 'building',
    error: null,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  await db
    .insertInto('attribute_indexes')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'name', 'kind'])
        .doUpdateSet({ status: 'building', error: null, updated_at: now }),
    )
    .execute();
  return { row: { ...row, created_at: Number(row.created_at) }, build: true };
}

/** One registry row's status, or undefined when it is gone. */
export async function attributeIndexStatus(
  db: Tx,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
): Promise<string | undefined> {
  const r = await db
    .selectFrom('attribute_indexes')
    .select('status')
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return r?.status;
}

export async function countAttributeIndexes(db: Tx, workspaceId: number): Promise<number> {
  const r = await db
    .selectFrom('attribute_indexes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Sets a build's outcome. Returns false when the row is gone (removed while it was building). */
export async function setAttributeIndexStatus(
  db: Tx,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
  status: 'ready' | 'failed',
  error: string | null,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('attribute_indexes')
    .set({ status, error, updated_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteAttributeIndexRow(
  db: Tx,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
): Promise<boolean> {
  const r = await db
    .deleteFrom('attribute_indexes')
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The index's name: stable, short enough for PostgreSQL (63 bytes), whatever the attribute name. */
export function attributeIndexName(workspaceId: number, name: string, kind: AttributeIndexKind): string {
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `people_ax_${Math.trunc(workspaceId)}_${kind === 'number' ? 'n' : 't'}_${digest}`;
}

/** The CREATE INDEX statement (literals only: schema statements take no parameters). */
export function createAttributeIndexSql(
  store: Store,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
): string {
  const ws = Math.trunc(workspaceId);
  const expr = attributeIndexExpression(store.dialect, kind, sql`attributes`, name).compile(store.db);
  if (expr.parameters.length > 0) throw new Error('an index expression must be written with literals');
  const ix = attributeIndexName(ws, name, kind);
  if (store.dialect === 'postgres')
    // Not `(workspace_id, …)`: PostgreSQL drops a condition the partial index's predicate implies
    // (`workspace_id = W`) from the index conditions, so a leading workspace_id left the expression
    // unbounded and every lookup read the whole index (1,008 pages for 20 matches at 200,000 people).
    return `create index concurrently if not exists ${ix} on people ((${expr.sql}), pid) where workspace_id = ${ws}`;
  return `create index if not exists ${ix} on people (workspace_id, (${expr.sql}), pid) where workspace_id = ${ws}`;
}

/** PostgreSQL: statistics on the index's expression, so the planner knows how many a range matches. */
export function createAttributeStatisticsSql(
  store: Store,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
): string {
  const expr = attributeIndexExpression(store.dialect, kind, sql`attributes`, name).compile(store.db);
  return `create statistics if not exists ${attributeIndexName(workspaceId, name, kind)}_s on (${expr.sql}) from people`;
}

/**
 * Builds the index without stopping writes: PostgreSQL `CREATE INDEX CONCURRENTLY` (an earlier
 * attempt that died half-way leaves an invalid index, dropped first), then ANALYZE so the planner
 * has the new expression's statistics; SQLite on a thread of its own (`Store.schemaChange`).
 */
export async function buildAttributeIndex(
  store: Store,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
): Promise<void> {
  const ix = attributeIndexName(workspaceId, name, kind);
  if (store.dialect === 'postgres') {
    const invalid = await sql<{ n: number }>`select count(*)::int as n from pg_index i
      join pg_class c on c.oid = i.indexrelid
      where c.relname = ${ix} and not i.indisvalid`.execute(store.db);
    if (Number(invalid.rows[0]?.n ?? 0) > 0)
      await store.schemaChange(`drop index concurrently if exists ${ix}`);
  }
  await store.schemaChange(createAttributeIndexSql(store, workspaceId, name, kind));
  if (store.dialect === 'postgres') {
    // ANALYZE keeps no statistics for a partial index's expression; without them the planner
    // guesses a third of the table for a range and scans it. Expression statistics (PostgreSQL 14+)
    // give it the real distribution; on an older server the index still serves equality.
    await store
      .schemaChange(createAttributeStatisticsSql(store, workspaceId, name, kind))
      .catch(() => undefined);
    await store.schemaChange('analyze people');
  }
}

export async function dropAttributeIndex(
  store: Store,
  workspaceId: number,
  name: string,
  kind: AttributeIndexKind,
): Promise<void> {
  const ix = attributeIndexName(workspaceId, name, kind);
  if (store.dialect === 'postgres') {
    await store.schemaChange(`drop statistics if exists ${ix}_s`);
    await store.schemaChange(`drop index concurrently if exists ${ix}`);
  } else await store.schemaChange(`drop index if exists ${ix}`);
}
