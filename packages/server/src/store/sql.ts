import { CompiledQuery, PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Tx } from './store.js';

/**
 * A hot statement written once as SQL text for both engines (`?` placeholders; they become `$1…`
 * on PostgreSQL, so the text must not use `?` otherwise, e.g. PostgreSQL's jsonb `?` operator).
 *
 * Why: Kysely builds, freezes and compiles a query tree on every call, which cost more CPU than
 * SQLite spent executing the statement (profiled on identify: ~45% of the write path). Statements
 * run on every Track write are kept as text; everything else stays on Kysely's builder.
 */
export class Statement {
  readonly sqlite: string;
  readonly postgres: string;
  constructor(text: string, postgresText = text) {
    this.sqlite = text;
    let n = 0;
    this.postgres = postgresText.replace(/\?/g, () => `$${++n}`);
    // Bounded: texts made per shape (multi-row inserts, snapshot variants) beyond this run unnamed,
    // so neither this map nor each PostgreSQL connection's prepared statements grow without end.
    if (!preparedNames.has(this.postgres) && preparedNames.size < MAX_PREPARED)
      preparedNames.set(this.postgres, `roster_${preparedNames.size + 1}`);
  }
}

/**
 * PostgreSQL statement names by text. The PostgreSQL store runs these texts as named prepared
 * statements (parsed and planned once per connection instead of on every run); statements must
 * therefore name their columns rather than select `*`, which a prepared plan pins.
 */
export const preparedNames = new Map<string, string>();
const MAX_PREPARED = 1000;

export function statement(text: string): Statement {
  return new Statement(text);
}

/** An INSERT of one row whose generated integer key is wanted (`insertReturningId`). */
export class InsertStatement extends Statement {
  constructor(
    text: string,
    readonly idColumn: string,
  ) {
    // SQLite reports the rowid of the insert for free; `RETURNING` would cost a result row.
    super(text, `${text} returning ${idColumn}`);
  }
}

/** Runs statements synchronously on the SQLite connection a transaction holds. */
export interface DirectRunner {
  all<R>(sql: string, params: readonly unknown[]): R[];
  run(sql: string, params: readonly unknown[]): number;
  /** Runs an INSERT; the rowid it made, or undefined when it inserted nothing (`on conflict do nothing`). */
  insert(sql: string, params: readonly unknown[]): number | undefined;
}

/**
 * SQLite transactions register their handle here: inside a transaction the connection is theirs,
 * so statements go straight to better-sqlite3 instead of through Kysely's connection mutex and
 * promise chain. Handles outside a transaction (the root `store.db`) are never registered.
 */
const direct = new WeakMap<Tx, DirectRunner>();

export function registerDirect(trx: Tx, runner: DirectRunner): void {
  direct.set(trx, runner);
}

/** Whether `trx` is a SQLite transaction (one writer: nothing else commits while it runs). */
export function isSoleWriter(trx: Tx): boolean {
  return direct.has(trx);
}

/**
 * Called when a SQLite group's transaction is lost (its COMMIT failed, or SQLite ended it):
 * whatever a process cached from data read inside it (segment definitions) may never have been
 * committed.
 */
const lostListeners = new Set<() => void>();

export function onTransactionLost(listener: () => void): () => void {
  lostListeners.add(listener);
  return () => lostListeners.delete(listener);
}

export function transactionLost(): void {
  for (const listener of lostListeners) listener();
}

/**
 * `activities.workspace_id` as a condition that leads to a person's rows: on SQLite written
 * `+workspace_id`, so that without statistics SQLite takes `activities_person` rather than walk the
 * workspace in the primary key `(workspace_id, id)` (migration 133); on PostgreSQL the plain column,
 * which a sharded database routes by.
 */
export function personHistoryWorkspace(trx: Tx, column = 'workspace_id'): RawBuilder<number> {
  return trx.getExecutor().adapter instanceof PostgresAdapter ? sql.ref(column) : sql`+${sql.ref(column)}`;
}

function textFor(trx: Tx, s: Statement): string {
  return trx.getExecutor().adapter instanceof PostgresAdapter ? s.postgres : s.sqlite;
}

/** Where a PostgreSQL transaction holds writes back (postgres/deferring-driver.ts). */
export interface WriteHolder {
  defer(sql: string, params: readonly unknown[]): Promise<void>;
}

const holders = new WeakMap<Tx, WriteHolder>();

/** The PostgreSQL store registers each write transaction's handle here. */
export function registerHolder(trx: Tx, holder: WriteHolder): void {
  holders.set(trx, holder);
}

/**
 * Runs a write whose result the caller does not need (an UPDATE, an INSERT without RETURNING).
 * Inside a PostgreSQL write transaction it is held back and sent with the transaction's next
 * statement or its COMMIT (one round trip fewer); an error it meets fails that statement, and so
 * the transaction. Elsewhere (SQLite, outside a transaction) it runs now.
 */
export async function executeLater(trx: Tx, s: Statement, params: readonly unknown[]): Promise<void> {
  const holder = holders.get(trx);
  if (holder) await holder.defer(s.postgres, params);
  else await execute(trx, s, params);
}

/** Rows of a statement (a SELECT, or a write with RETURNING). */
export async function queryRows<R>(trx: Tx, s: Statement, params: readonly unknown[]): Promise<R[]> {
  const runner = direct.get(trx);
  if (runner) return runner.all<R>(s.sqlite, params);
  const result = await trx.executeQuery<R>(CompiledQuery.raw(textFor(trx, s), [...params]));
  return result.rows as R[];
}

/** Runs a write; resolves with the number of rows it changed. */
export async function execute(trx: Tx, s: Statement, params: readonly unknown[]): Promise<number> {
  const runner = direct.get(trx);
  if (runner) return runner.run(s.sqlite, params);
  const result = await trx.executeQuery(CompiledQuery.raw(textFor(trx, s), [...params]));
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Runs a one-row INSERT; resolves with the generated key, or undefined when the row was not
 * inserted (an `on conflict … do nothing` that met a conflict).
 */
export async function insertReturningId(
  trx: Tx,
  s: InsertStatement,
  params: readonly unknown[],
): Promise<number | undefined> {
  const runner = direct.get(trx);
  if (runner) return runner.insert(s.sqlite, params);
  const pg = trx.getExecutor().adapter instanceof PostgresAdapter;
  const result = await trx.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(pg ? s.postgres : s.sqlite, [...params]),
  );
  if (pg) {
    const id = result.rows[0]?.[s.idColumn];
    return id === undefined || id === null ? undefined : Number(id);
  }
  return result.numAffectedRows === 0n || result.insertId === undefined ? undefined : Number(result.insertId);
}

/**
 * A value per (transaction handle, workspace), forgotten with the handle: what a transaction has
 * learnt that stays true until it ends (the memos of store/track/suppressions.ts and
 * store/segments/segment-tables.ts).
 */
export class TransactionMemo<V> {
  private readonly byTx = new WeakMap<Tx, Map<number, V>>();

  get(trx: Tx, workspaceId: number): V | undefined {
    return this.byTx.get(trx)?.get(workspaceId);
  }

  set(trx: Tx, workspaceId: number, value: V): void {
    let values = this.byTx.get(trx);
    if (!values) this.byTx.set(trx, (values = new Map()));
    values.set(workspaceId, value);
  }

  delete(trx: Tx, workspaceId: number): void {
    this.byTx.get(trx)?.delete(workspaceId);
  }

  entries(trx: Tx): Iterable<[number, V]> {
    return this.byTx.get(trx)?.entries() ?? [];
  }

  clear(trx: Tx): void {
    this.byTx.delete(trx);
  }
}

/** `?, ?, ?` for `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * Statements whose text depends on a count (multi-row inserts, `in (…)` lists), built once per
 * count and kept.
 */
export class StatementsByCount {
  private readonly made = new Map<number, Statement>();
  constructor(private readonly build: (n: number) => string) {}
  get(n: number): Statement {
    let s = this.made.get(n);
    if (!s) {
      s = statement(this.build(n));
      if (this.made.size < 256) this.made.set(n, s);
    }
    return s;
  }
}
