import type { DialectName } from '../dialect.js';
import { placeholders, Statement, StatementsByCount } from '../sql.js';

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

/** A statement whose text differs per dialect (positions, JSON list membership). */
export function perDialect(build: (d: DialectName) => string): Statement {
  return new Statement(build('sqlite'), build('postgres'));
}

/** `column in (the JSON array parameter)`. */
const inJson = (d: DialectName, column: string, numeric = false) =>
  d === 'postgres'
    ? `${column} in (select (jsonb_array_elements_text(?::jsonb))${numeric ? '::bigint' : ''})`
    : `${column} in (select value from json_each(?))`;

/**
 * A webhook event a subscription wants, in SQL (store/webhooks/cursors.ts): its kind, event name
 * and segment. Parameters: `wantsParams`.
 */
export function wantsSql(d: DialectName): string {
  const json = d === 'postgres' ? '?::jsonb' : '?';
  return `${inJson(d, 'kind')}
   and (${json} is null or event_name is null or ${inJson(d, 'event_name')})
   and (${json} is null or segment_id is null or ${inJson(d, 'segment_id', true)})`;
}

/** The parameters of `wantsSql` for a subscription. */
export function wantsParams(s: {
  events: readonly string[];
  eventNames: readonly string[] | null;
  segmentIds: readonly number[] | null;
}): unknown[] {
  const names = s.eventNames ? JSON.stringify(s.eventNames) : null;
  const segments = s.segmentIds ? JSON.stringify(s.segmentIds) : null;
  return [JSON.stringify(s.events), names, names, segments, segments];
}

/** The columns of an attempt row (webhook_attempts). */
export const ATTEMPT_COLUMNS = [
  'workspace_id',
  'subscription_id',
  'delivery_id',
  'event_id',
  'attempted_at_ms',
  'status_code',
  'latency_ms',
  'outcome',
  'error',
  'response_excerpt',
];
