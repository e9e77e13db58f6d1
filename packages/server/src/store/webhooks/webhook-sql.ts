import { placeholders, StatementsByCount } from '../sql.js';

/**
 * The webhook worker's large statements (multi-row inserts, `in (…)` lists) as SQL text kept per
 * shape (store/sql.ts): built by Kysely they cost more CPU than SQLite spent running them (a
 * profile of the webhooks bench: Kysely building and compiling the fan-out's insert and the
 * results' statements took a fifth of the server's CPU). To keep the number of shapes (and
 * PostgreSQL's prepared statements) small, inserts go in chunks of a power of two rows, and `in`
 * lists are padded to a power of two by repeating their first value.
 */

/** `items` split into chunks whose sizes are powers of two (at most `max`), largest first. */
export function powerOfTwoChunks<T>(items: readonly T[], max = 256): T[][] {
  const out: T[][] = [];
  let i = 0;
  while (i < items.length) {
    let size = max;
    while (size > items.length - i) size >>= 1;
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}

/** `values` padded to the next power of two by repeating the first (for `in (…)` lists). */
export function padToPowerOfTwo<T>(values: readonly T[]): T[] {
  let size = 1;
  while (size < values.length) size <<= 1;
  const out = [...values];
  while (out.length < size) out.push(values[0]!);
  return out;
}

/** A statement per row count: `insert into <table> (<columns>) values (…), … [returning …]`. */
export function multiRowInsert(table: string, columns: readonly string[], returning = ''): StatementsByCount {
  const row = `(${placeholders(columns.length)})`;
  return new StatementsByCount(
    (n) =>
      `insert into ${table} (${columns.join(', ')}) values ${Array.from({ length: n }, () => row).join(', ')}${
        returning ? ` returning ${returning}` : ''
      }`,
  );
}

/** A statement per list length: the text with `{in}` replaced by `?, ?, …`. */
export function inList(text: string): StatementsByCount {
  return new StatementsByCount((n) => text.replace('{in}', placeholders(n)));
}
