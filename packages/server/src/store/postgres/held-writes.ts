import { createHash } from 'node:crypto';
import { inlineSql, literal } from './inline-sql.js';
import { arrayLiteral, plainRows, renderInsertUnnest } from './set-insert.js';
import type { TableCatalog, TableInfo } from './table-catalog.js';

/**
 * The writes a `DeferringConnection` holds until its next statement, merged where that changes
 * nothing but the number of statements PostgreSQL parses, plans and runs.
 *
 * Why: a v2 batch of 100 identifies held about 200 statements (an INSERT or UPDATE of each person,
 * an INSERT of each one's history) and a group of single writes (group commit) a few per write; each
 * statement of a multi-statement query costs PostgreSQL a parse, a plan and an executor start-up,
 * and Roster the text of each. Held writes of the same shape now go as one set-based statement:
 *
 * - `insert into T (cols) values (…)` (no `on conflict`, no `returning`) joins the held INSERT into
 *   the same table with the same columns: one multi-row INSERT, rows in the order they were held.
 * - `update T set c1 = $1, … where key = $n`, where `key` is T's one-column primary key and no `c`
 *   is in a unique index, joins the held UPDATE of the same shape: one `update … from unnest(…)`,
 *   a later row for the same key replacing the earlier (each sets whole values, so the last wins
 *   as it would one statement after another).
 *
 * A write joins an earlier one only by moving before what was held after that one, and only past
 * writes it commutes with: an INSERT or UPDATE of another table that the moving write's table
 * does not reference (so no foreign key check can see the difference). Anything else — BEGIN and
 * its locks, a statement of another shape, a table with a row trigger, a table the catalog does not
 * know yet — stays where it is, and nothing moves past it. Unique indexes see the same rows in the
 * same order per table (UPDATEs that merge never set a unique column), so a write that fails one
 * statement at a time fails merged too: the transaction fails as a whole either way.
 */

interface InsertShape {
  kind: 'insert';
  table: string;
  /** The column list (what a merged INSERT must share). */
  columns: string;
  /** The `(…), (…)` text after `values`. */
  values: string;
  /** When `values` is `($1, …, $k), ($k+1, …)` (every Roster INSERT): k, rows are built directly. */
  width: number | undefined;
}

interface UpdateShape {
  kind: 'update';
  table: string;
  /** The set columns and the key (what a merged UPDATE must share). */
  columns: string;
  setColumns: string[];
  /** Parameter number (1-based) of each set column's value, in order, and of each key column's. */
  setParams: number[];
  /** The key columns the WHERE names (`pid`, or `pid` and `workspace_id`), and their parameters. */
  keys: string[];
  keyParams: number[];
}

type Shape = InsertShape | UpdateShape;

interface TextEntry {
  kind: 'text';
  text: string;
}

interface InsertEntry {
  kind: 'insert';
  table: string;
  info: TableInfo;
  columns: string;
  /**
   * Each held write's rows: as values (one array a row) when every value is one an array literal
   * carries exactly (`plainValue`), else as the `(…), (…)` text of their literals. All values:
   * several rows go as `insert … select from unnest(…)` (set-insert.ts), and no literal is built.
   */
  rows: Array<string | unknown[][]>;
}

interface UpdateEntry {
  kind: 'update';
  table: string;
  info: TableInfo;
  columns: string;
  shape: UpdateShape;
  /** Key literal → the row's values (set values, then the key), in the order first held. */
  rows: Map<string, unknown[]>;
}

type Entry = TextEntry | InsertEntry | UpdateEntry;

const INSERT_RE =
  /^insert into (\w+) \(([\w, ]+)\) values (\(\$\d+(?:, ?\$\d+)*\)(?:, ?\(\$\d+(?:, ?\$\d+)*\))*)$/i;
const UPDATE_RE =
  /^update (\w+) set (\w+ = \$\d+(?:, \w+ = \$\d+)*) where (\w+ = \$\d+(?: and \w+ = \$\d+)*)$/i;

/** Shapes by statement text (texts are Roster's own, a bounded set: store/sql.ts). */
const shapes = new Map<string, Shape | null>();
const MAX_SHAPES = 2000;

function shapeOf(sql: string): Shape | null {
  let shape = shapes.get(sql);
  if (shape !== undefined) return shape;
  shape = parse(sql.replace(/\s+/g, ' ').trim());
  if (shapes.size < MAX_SHAPES) shapes.set(sql, shape);
  return shape;
}

function parse(sql: string): Shape | null {
  const insert = INSERT_RE.exec(sql);
  if (insert) {
    const columns = insert[2]!.replace(/ /g, '');
    const values = insert[3]!;
    return { kind: 'insert', table: insert[1]!, columns, values, width: tupleWidth(values) };
  }
  const update = UPDATE_RE.exec(sql);
  if (update) {
    const sets = update[2]!.split(', ').map((s) => s.split(' = $'));
    const setColumns = sets.map(([c]) => c!);
    if (new Set(setColumns).size !== setColumns.length) return null;
    const where = update[3]!.split(' and ').map((s) => s.split(' = $'));
    const keys = where.map(([c]) => c!);
    if (new Set(keys).size !== keys.length) return null;
    return {
      kind: 'update',
      table: update[1]!,
      columns: `${setColumns.join(',')} by ${keys.join(',')}`,
      setColumns,
      setParams: sets.map(([, n]) => Number(n)),
      keys,
      keyParams: where.map(([, n]) => Number(n)),
    };
  }
  return null;
}

/** k when `values` holds its parameters in order, k to a row: `($1, $2), ($3, $4)`. */
function tupleWidth(values: string): number | undefined {
  const tuples = values.slice(1, -1).split(/\), ?\(/);
  const width = tuples[0]!.split(',').length;
  let n = 0;
  for (const t of tuples) {
    const params = t.split(',').map((p) => p.trim());
    if (params.length !== width || params.some((p) => p !== `$${++n}`)) return undefined;
  }
  return width;
}

/** `(l1, …, lk), (…)` of `params`, k to a row; undefined when a value cannot be inlined. */
function tuples(params: readonly unknown[], width: number): string | undefined {
  const rows: string[] = [];
  for (let i = 0; i < params.length; i += width) {
    const row: string[] = [];
    for (let j = i; j < i + width; j++) {
      const l = literal(params[j]);
      if (l === undefined) return undefined;
      row.push(l);
    }
    rows.push(`(${row.join(', ')})`);
  }
  return rows.join(', ');
}

function mergeable(shape: Shape, info: TableInfo | undefined): info is TableInfo {
  if (!info || info.rowTriggers) return false;
  if (shape.kind === 'insert') return true;
  // The WHERE names exactly the primary key's columns (in any order): one row per key.
  const pk = info.primaryKey;
  return (
    pk !== undefined &&
    shape.keys.length === pk.length &&
    shape.keys.every((k) => pk.includes(k) && info.types.has(k)) &&
    shape.setColumns.every((c) => info.types.has(c) && !info.unique.has(c))
  );
}

/**
 * Before the merged UPDATEs a COMMIT carries run as prepared statements: their plans are generic
 * (made once, whatever the arrays hold) and can only probe the key's index, one row at a time (a
 * plan made while the table was small must not stay a scan of it once it has grown). `SET LOCAL`
 * ends with the transaction; `GENERIC_OFF` ends it sooner when other statements follow.
 */
const GENERIC_ON = [
  'set local plan_cache_mode = force_generic_plan',
  'set local enable_seqscan = off',
  'set local enable_hashjoin = off',
  'set local enable_mergejoin = off',
].join('; ');
const GENERIC_OFF = [
  'set local plan_cache_mode to default',
  'set local enable_seqscan to default',
  'set local enable_hashjoin to default',
  'set local enable_mergejoin to default',
].join('; ');

/** Statements `PreparedUpdates` may prepare on one connection, retries after failures included. */
const MAX_PREPARED = 32;

/**
 * The merged UPDATE shapes prepared on one connection (SQL `PREPARE`, which lasts as long as the
 * session, whatever becomes of the transaction it ran in).
 *
 * Why: PostgreSQL planned each group's `update … from unnest(…)` afresh, 0.16–0.38 ms for 10
 * people (a one-row UPDATE: about 0.09 ms), as much as running it; prepared, the plan is made once
 * per connection and each group's UPDATE costs its execution (0.07–0.1 ms of planning left in
 * `EXPLAIN`, the arrays' input).
 *
 * A PREPARE travels in front of its first EXECUTE, in the same query. It is known to exist only
 * once that query succeeded; after a failure it may or may not have run, so the shape is prepared
 * again under a new name (a statement left behind costs the session a little memory, and at most
 * `MAX_PREPARED` are ever made on a connection; past that, updates are sent as text).
 */
export class PreparedUpdates {
  /** Shape → statement name, prepared on this connection. */
  private readonly names = new Map<string, string>();
  /** Prepared by the query in flight: known only once it succeeds. */
  private pending: Array<[string, string]> = [];
  private made = 0;

  /**
   * The statement's name, and the PREPARE to send first when it is new; undefined past the cap.
   * The name carries a digest of the shape: should the session ever be another's (a pooler in
   * transaction mode, which `ROSTER_PG_PREPARED_STATEMENTS=protocol` is for), an EXECUTE finds
   * the same statement or none, never another shape's of the same number.
   */
  use(shape: string, body: (name: string) => string): { name: string; prepare?: string } | undefined {
    const name = this.names.get(shape) ?? this.pending.find(([s]) => s === shape)?.[1];
    if (name !== undefined) return { name };
    if (this.made >= MAX_PREPARED) return undefined;
    const digest = createHash('sha256').update(shape).digest('hex').slice(0, 12);
    const made = `roster_held_${++this.made}_${digest}`;
    this.pending.push([shape, made]);
    return { name: made, prepare: body(made) };
  }

  /** The query that carried the pending PREPAREs succeeded. */
  confirm(): void {
    for (const [shape, name] of this.pending) this.names.set(shape, name);
    this.pending = [];
  }

  /** It failed: whether its PREPAREs ran is not known, so they are not used again. */
  forget(): void {
    this.pending = [];
  }
}

export class HeldWrites {
  private entries: Entry[] = [];
  /** Set when merged UPDATEs may run as prepared statements (not behind a transaction-mode pooler). */
  private readonly prepared: PreparedUpdates | undefined;

  constructor(
    private readonly catalog: TableCatalog | undefined,
    prepare = false,
  ) {
    this.prepared = prepare ? new PreparedUpdates() : undefined;
  }

  /** The query that took the held writes succeeded (its PREPAREs exist) or failed (`PreparedUpdates`). */
  settled(ok: boolean): void {
    if (ok) this.prepared?.confirm();
    else this.prepared?.forget();
  }

  get length(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }

  /** Holds a statement as it is (BEGIN and its locks, anything with values already inlined). */
  text(sql: string): void {
    this.entries.push({ kind: 'text', text: sql });
  }

  /** Holds a write with parameters; false when its values cannot be inlined (run it now). */
  write(sql: string, params: readonly unknown[]): boolean {
    const shape = this.catalog ? shapeOf(sql) : null;
    const info = shape ? this.catalog!.get(shape.table) : undefined;
    if (!shape || !mergeable(shape, info)) {
      const text = inlineSql(sql, params);
      if (text === undefined) return false;
      this.text(text);
      return true;
    }
    if (shape.kind === 'insert') {
      const rows =
        (shape.width !== undefined ? plainRows(params, shape.width, plainValue) : undefined) ??
        (shape.width !== undefined && params.length % shape.width === 0
          ? tuples(params, shape.width)
          : inlineSql(shape.values, params));
      if (rows === undefined) return false;
      const into = this.joinable(shape, info);
      if (into?.kind === 'insert') into.rows.push(rows);
      else
        this.entries.push({ kind: 'insert', table: shape.table, info, columns: shape.columns, rows: [rows] });
      return true;
    }
    const values: unknown[] = [];
    for (const n of shape.setParams) {
      const v = params[n - 1];
      if (!plainValue(v) && literal(v) === undefined) return false;
      values.push(v);
    }
    const keyLiterals: string[] = [];
    for (const n of shape.keyParams) {
      const v = params[n - 1];
      const l = literal(v);
      if (l === undefined) return false;
      values.push(v);
      keyLiterals.push(l);
    }
    // Literals never hold a NUL (such values are not inlined), so it separates key columns.
    const key = keyLiterals.join('\0');
    const into = this.joinable(shape, info);
    if (into?.kind === 'update') {
      into.rows.set(key, values);
      return true;
    }
    this.entries.push({
      kind: 'update',
      table: shape.table,
      info,
      columns: shape.columns,
      shape,
      rows: new Map([[key, values]]),
    });
    return true;
  }

  /** The held entry of the same shape this write may join, looking back past what it commutes with. */
  private joinable(shape: Shape, info: TableInfo): Entry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.kind === 'text') return undefined;
      if (e.table === shape.table)
        return e.kind === shape.kind && e.columns === shape.columns ? e : undefined;
      // Moving before a write of another table: only if no foreign key of ours can see its rows.
      if (info.references.has(e.table)) return undefined;
    }
    return undefined;
  }

  /**
   * The held statements as one text (`;`-separated), in order; empties the hold. `final`: they go
   * with the transaction's COMMIT, and merged UPDATEs run as prepared statements.
   */
  take(final = false): string {
    const parts: string[] = [];
    let generic = false;
    for (const e of this.entries) {
      const prepared = final && e.kind === 'update' ? this.execute(e) : undefined;
      if (prepared && !generic) parts.push(GENERIC_ON);
      // A held INSERT's plan (a values list, or a function scan of unnest) joins nothing: the settings may stay.
      if (!prepared && generic && e.kind !== 'insert') parts.push(GENERIC_OFF);
      if (prepared || e.kind !== 'insert') generic = prepared !== undefined;
      parts.push(prepared ?? render(e));
    }
    this.entries = [];
    return parts.join(';\n');
  }

  /** `execute …(arrays)` of the entry's prepared UPDATE (with its PREPARE when new), if it can be. */
  private execute(e: UpdateEntry): string | undefined {
    const rows = [...e.rows.values()];
    if (!this.prepared || !rows.every((r) => r.every(plainValue))) return undefined;
    const columns = [...e.shape.setColumns, ...e.shape.keys];
    const use = this.prepared.use(`${e.table} ${e.columns}`, (name) => {
      const types = columns.map((c) => `${e.info.types.get(c)}[]`).join(', ');
      return `prepare ${name} (${types}) as ${unnestUpdate(
        e,
        columns.map((_, i) => `$${i + 1}`),
      )}`;
    });
    if (!use) return undefined;
    const arrays = columns.map((_, i) => arrayLiteral(rows, i));
    const run = `execute ${use.name}(${arrays.join(', ')})`;
    return use.prepare ? `${use.prepare};\n${run}` : run;
  }
}

function render(e: Entry): string {
  if (e.kind === 'text') return e.text;
  if (e.kind === 'insert') return renderInsert(e);
  const { setColumns, keys } = e.shape;
  const n = setColumns.length;
  if (e.rows.size === 1) {
    // One person (maybe written twice: the last row replaced the first): the plain UPDATE.
    const [row] = e.rows.values();
    const l = row!.map((v) => literal(v)!);
    const sets = setColumns.map((c, i) => `${c} = ${l[i]}`).join(', ');
    const where = keys.map((k, j) => `${k} = ${l[n + j]}`).join(' and ');
    return `update ${e.table} set ${sets} where ${where}`;
  }
  const rows = [...e.rows.values()];
  return rows.every((r) => r.every(plainValue)) ? renderUnnest(e, rows) : renderValues(e, rows);
}

/** A held INSERT: set-based when every row is values (and there are several), else a values list. */
function renderInsert(e: InsertEntry): string {
  if (e.rows.every((r) => typeof r !== 'string')) {
    const rows = (e.rows as unknown[][][]).flat();
    const set =
      rows.length > 1 ? renderInsertUnnest(e.table, e.columns.split(','), e.info.types, rows) : undefined;
    if (set !== undefined) return set;
  }
  const text = e.rows.map((r) => (typeof r === 'string' ? r : tuples(r.flat(), r[0]!.length)!));
  return `insert into ${e.table} (${e.columns}) values ${text.join(', ')}`;
}

/** Values an array literal holds as their text form, exactly as a quoted literal would give them. */
function plainValue(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    typeof v === 'number' ||
    typeof v === 'bigint' ||
    (typeof v === 'string' && !v.includes('\u0000'))
  );
}

/**
 * `update … from unnest(array, …)`: one typed array per column. PostgreSQL plans it in about a
 * fifth of the time of the same rows as `from (values …)` (100 rows: 0.14 against 0.7 ms; each
 * VALUES row's literals are typed one by one), and every element goes through the column type's
 * input function as the quoted literal would.
 */
function renderUnnest(e: UpdateEntry, rows: unknown[][]): string {
  const columns = [...e.shape.setColumns, ...e.shape.keys];
  return unnestUpdate(
    e,
    columns.map((c, i) => `${arrayLiteral(rows, i)}::${e.info.types.get(c)}[]`),
  );
}

/** `update … from unnest(arrays…)`, one array (a literal, or a parameter) per set column and key. */
function unnestUpdate(e: UpdateEntry, arrays: string[]): string {
  const { setColumns, keys } = e.shape;
  const columns = [...setColumns, ...keys];
  const names = columns.map((_, i) =>
    i < setColumns.length ? `v${i + 1}` : `k${i - setColumns.length + 1}`,
  );
  const sets = setColumns.map((c, i) => `${c} = v.${names[i]}`).join(', ');
  const where = keys.map((k, j) => `t.${k} = v.${names[setColumns.length + j]}`).join(' and ');
  return `update ${e.table} as t set ${sets} from unnest(${arrays.join(', ')}) as v(${names.join(', ')}) where ${where}`;
}

/** `update … from (values …)`: for values an array literal does not carry as a literal would. */
function renderValues(e: UpdateEntry, rows: unknown[][]): string {
  const { setColumns, keys } = e.shape;
  const names = setColumns.map((_, i) => `v${i + 1}`);
  const keyNames = keys.map((_, j) => `k${j + 1}`);
  const sets = setColumns.map((c, i) => `${c} = v.${names[i]}::${e.info.types.get(c)}`).join(', ');
  const tuples = rows.map((r) => `(${r.map((v) => literal(v)!).join(', ')})`).join(', ');
  const where = keys.map((k, j) => `t.${k} = v.${keyNames[j]}::${e.info.types.get(k)}`).join(' and ');
  return (
    `update ${e.table} as t set ${sets} from (values ${tuples}) as v(${[...names, ...keyNames].join(', ')}) ` +
    `where ${where}`
  );
}
