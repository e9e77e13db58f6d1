import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Tx } from '../store.js';
import type { IdentifierRow } from './people-search.js';

/**
 * Prefix search over the identifier columns (`GET /v1/customers/search`), as index range scans:
 * "starts with P" is the range `P <= key < next(P)` in code point order, which is SQLite's BINARY
 * order (its `people_ws_id` / `people_ws_email` indexes) and PostgreSQL's `"C"` collation (the
 * `people_ws_id_c` / `people_ws_email_c` indexes of migration 110; the default collation of a
 * PostgreSQL database may be linguistic, where a prefix is not one contiguous range).
 */
export type PrefixColumn = 'id' | 'email_norm';

/** A range `[lo, hi)` of keys; `hi` null when nothing sorts after every key starting with `lo`. */
export interface KeyRange {
  lo: string;
  hi: string | null;
}

const MAX_CODE_POINT = 0x10ffff;

/**
 * The smallest string that sorts after every string starting with `prefix` (code point order):
 * the prefix with its last code point incremented, dropping trailing U+10FFFF. Null when the
 * prefix is all U+10FFFF (no upper bound). Surrogate code points are skipped: they are not text.
 */
export function prefixRange(prefix: string): KeyRange {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last === MAX_CODE_POINT) continue;
    const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
    return { lo: prefix, hi: String.fromCodePoint(...points, next) };
  }
  return { lo: prefix, hi: null };
}

/** Compares like the indexes do: by code point (JS `<` compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function col(dialect: DialectName, column: PrefixColumn | 'cio_id'): RawBuilder<string> {
  // `collate "C"` makes PostgreSQL compare bytes (code points) and use the "C" indexes.
  return dialect === 'postgres'
    ? sql<string>`(p.${sql.ref(column)} collate "C")`
    : sql<string>`p.${sql.ref(column)}`;
}

function text(dialect: DialectName, v: string): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`${v}::text collate "C"` : sql<string>`${v}`;
}

function inRange(dialect: DialectName, column: PrefixColumn, r: KeyRange): RawBuilder<boolean> {
  const c = col(dialect, column);
  const lo = sql<boolean>`${c} >= ${text(dialect, r.lo)}`;
  return r.hi === null ? lo : sql<boolean>`(${lo} and ${c} < ${text(dialect, r.hi)})`;
}

export interface PrefixQuery {
  workspaceId: number;
  column: PrefixColumn;
  range: KeyRange;
  /** Keys after this one only (`inclusive`: this one too). */
  after?: { key: string; inclusive: boolean };
  /** Leave out people whose id is in this range (they are found through the id stream). */
  excludeIdRange?: KeyRange;
  /** Leave out the person with this cio_id (found by the exact cio_id lookup). */
  excludeCioId?: string;
}

function where(dialect: DialectName, q: PrefixQuery): RawBuilder<boolean> {
  const parts: Array<RawBuilder<boolean>> = [
    sql<boolean>`p.workspace_id = ${q.workspaceId}`,
    inRange(dialect, q.column, q.range),
  ];
  if (q.after)
    parts.push(
      sql<boolean>`${col(dialect, q.column)} ${sql.raw(q.after.inclusive ? '>=' : '>')} ${text(dialect, q.after.key)}`,
    );
  if (q.excludeIdRange)
    parts.push(sql<boolean>`(p.id is null or not ${inRange(dialect, 'id', q.excludeIdRange)})`);
  if (q.excludeCioId !== undefined) parts.push(sql<boolean>`p.cio_id <> ${q.excludeCioId}`);
  return sql<boolean>`${sql.join(parts, sql` and `)}`;
}

/** The query behind `prefixPage` (exported so a test can EXPLAIN it). */
export function prefixPageQuery(
  dialect: DialectName,
  q: PrefixQuery,
  limit: number,
): RawBuilder<IdentifierRow & { key: string }> {
  return sql<IdentifierRow & { key: string }>`select p.pid, p.id, p.email, p.cio_id,
      p.${sql.ref(q.column)} as key from people as p where ${where(dialect, q)}
      order by ${col(dialect, q.column)} limit ${limit}`;
}

/** Up to `limit` people whose `column` is in the range, in key order (one index range scan). */
export async function prefixPage(
  db: Tx,
  dialect: DialectName,
  q: PrefixQuery,
  limit: number,
): Promise<Array<IdentifierRow & { key: string }>> {
  const r = await prefixPageQuery(dialect, q, limit).execute(db);
  return r.rows.map((row) => ({ ...row, pid: Number(row.pid) }));
}

/** How many people the range holds, counting at most `cap` (the index entries are read, no rows). */
export async function prefixCount(
  db: Tx,
  dialect: DialectName,
  q: PrefixQuery,
  cap: number,
): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from
      (select 1 as one from people as p where ${where(dialect, q)} limit ${cap}) as capped`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** The person with exactly this cio_id (primary lookup through `people_ws_cio`). */
export async function personByCioId(
  db: Tx,
  workspaceId: number,
  cioId: string,
): Promise<IdentifierRow | null> {
  const r = await sql<IdentifierRow>`select p.pid, p.id, p.email, p.cio_id from people as p
      where p.workspace_id = ${workspaceId} and p.cio_id = ${cioId}`.execute(db);
  const row = r.rows[0];
  return row ? { ...row, pid: Number(row.pid) } : null;
}
