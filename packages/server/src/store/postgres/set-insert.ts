import { literal, quote } from './inline-sql.js';

/**
 * Several held INSERT rows of one table as `insert into T (…) select … from unnest(…)`: one typed
 * array per column (one literal for a column whose rows all hold the same value), instead of a
 * `values` list of one literal per cell.
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
  const names: string[] = [];
  const select: string[] = [];
  for (const [i, c] of columns.entries()) {
    const type = elementType(types.get(c));
    if (type === undefined) return undefined;
    const first = rows[0]![i];
    // A value every row shares (the workspace, the source, the time…) goes once, not as an array;
    // one column at least stays an array, so unnest still gives one row per row.
    if ((i < columns.length - 1 || arrays.length > 0) && rows.every((r) => r[i] === first)) {
      select.push(`${literal(first)}::${type}`);
      continue;
    }
    arrays.push(`${arrayLiteral(rows, i)}::${type}[]`);
    names.push(`c${i}`);
    select.push(`v.c${i}`);
  }
  return (
    `insert into ${table} (${columns.join(', ')}) select ${select.join(', ')} ` +
    `from unnest(${arrays.join(', ')}) as v(${names.join(', ')})`
  );
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

const BACKSLASH = /\\/g;
const QUOTE = /"/g;

/**
 * Column `i` of `rows` (plain values: text, numbers, NULL) as a quoted array literal, built in one
 * pass: numbers bare, text in double quotes with `\\` and `"` escaped, and the whole in dollar
 * quotes, which take the text as it is (a quoted `E'…'` literal would double every backslash the
 * escaping just added: a JSON value's quotes cost 3 bytes each instead of 2).
 */
export function arrayLiteral(rows: readonly unknown[][], i: number): string {
  let text = '{';
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r]![i];
    if (r > 0) text += ',';
    if (v === null || v === undefined) text += 'NULL';
    else if (typeof v === 'number' || typeof v === 'bigint') text += String(v);
    else {
      const t = String(v as string);
      const escaped = t.includes('\\') ? t.replace(BACKSLASH, '\\\\') : t;
      text += `"${escaped.includes('"') ? escaped.replace(QUOTE, '\\"') : escaped}"`;
    }
  }
  text += '}';
  return text.includes('$r$') ? quote(text) : `$r$${text}$r$`;
}
