import { literal } from './inline-sql.js';

/**
 * Several held INSERT rows of one table as `insert into T (…) select * from unnest(…)`: one typed
 * array per column, instead of a `values` list of one literal per cell.
 *
 * Why: a v2 batch of 100 identifies inserts 100 history rows of 12 columns (and, for new people,
 * 100 people of 11): as `values`, PostgreSQL parses, types and plans each of the 1,200 literals
 * one by one; as arrays it parses 12 literals and reads each with the column type's input
 * function while running, as it reads each quoted literal (docs/scaling.md "Set-based writes"; the
 * UPDATEs went this way first). Only values an array literal carries exactly as a quoted literal
 * (text, numbers, NULL: the caller's `plain`) go this way; rows stay in the order they were held
 * (unnest keeps its arrays' order), so sequences, unique checks and partition routing see the
 * same rows in the same order.
 */
export function renderInsertUnnest(
  table: string,
  columns: readonly string[],
  types: ReadonlyMap<string, string>,
  rows: readonly unknown[][],
): string | undefined {
  const arrays: string[] = [];
  for (const [i, c] of columns.entries()) {
    const type = elementType(types.get(c));
    if (type === undefined) return undefined;
    arrays.push(`${literal(rows.map((r) => r[i]))}::${type}[]`);
  }
  return `insert into ${table} (${columns.join(', ')}) select * from unnest(${arrays.join(', ')})`;
}

/**
 * A column's type as an array's element type: without its modifier (`varchar(20)` → `varchar`),
 * so the INSERT's assignment applies it as it does to a literal (an explicit cast to
 * `varchar(20)` would truncate where the INSERT refuses); undefined for an array column (unnest
 * would flatten it) or a type the catalog did not name.
 */
function elementType(type: string | undefined): string | undefined {
  if (type === undefined || type.endsWith(']')) return undefined;
  return type.replace(/\(.*\)/, '');
}

/** `params` as rows of `width` values, or undefined when one is not `plain`. */
export function plainRows(
  params: readonly unknown[],
  width: number,
  plain: (v: unknown) => boolean,
): unknown[][] | undefined {
  if (params.length % width !== 0) return undefined;
  const rows: unknown[][] = [];
  for (let i = 0; i < params.length; i += width) {
    const row = params.slice(i, i + width);
    if (!row.every(plain)) return undefined;
    rows.push(row);
  }
  return rows;
}
