import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema/index.js';
import type { DialectName } from './dialect.js';

/** A query handle inside a transaction (or the root handle for single reads). */
export type Tx = Kysely<Database>;

export interface TransactionOptions {
  /**
   * Keys to lock (as `lockKeys` would) as the transaction begins. On PostgreSQL they are taken in
   * the same round trip as BEGIN.
   */
  lockKeys?: readonly string[];
  /**
   * How many writes the function makes (a batch's items; default 1). SQLite's group commit stops
   * adding writers to a transaction once their total passes a bound, so a writer never waits
   * behind more than about that much work.
   */
  weight?: number;
  /** Keys to lock shared (PostgreSQL `pg_advisory_xact_lock_shared`), after `lockKeys`. */
  sharedLockKeys?: readonly string[];
}

/**
 * The store: one Kysely handle over SQLite or PostgreSQL, plus the two things Kysely does not
 * abstract — how a write transaction begins and how concurrent writers to the same identity
 * are serialised.
 */
export interface Store {
  readonly dialect: DialectName;
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in one write transaction: everything it writes commits together, or nothing does.
   * SQLite: `BEGIN IMMEDIATE` (one writer at a time, no lock upgrades that could fail).
   * PostgreSQL: READ COMMITTED plus `lockKeys` for the identities a write touches.
   */
  transaction<T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Serialises transactions that touch the same keys (identifiers, device tokens) until commit.
   * A no-op on SQLite, whose write transactions are already serial.
   */
  lockKeys(trx: Tx, keys: readonly string[]): Promise<void>;
  /**
   * Runs one costly read (a filter's search page or count) bounded in time, throwing
   * `QueryBudgetError` once it has run `budgetMs` (default {@link Store.queryBudgetMs}).
   * SQLite: on a read thread with its own connection, so the event loop and the writer go on
   * meanwhile; the statement must call `budgetCheck` per row (see query-budget.ts).
   * PostgreSQL: `SET LOCAL statement_timeout` and the read as one simple-protocol query (one round trip).
   */
  boundedRead<R>(query: CompiledQuery<R>, budgetMs?: number): Promise<R[]>;
  /**
   * Runs one schema statement that may take long (building or dropping an index over `people`)
   * outside any write transaction, without holding the event loop. SQLite: on a thread with its
   * own connection; the server's writers queue in memory meanwhile (SQLite has one writer) and
   * run as soon as it commits. PostgreSQL: a plain statement on a pooled connection, so
   * `CREATE INDEX CONCURRENTLY` lets writes go on.
   */
  schemaChange(sqlText: string): Promise<void>;
  /** The time budget of `boundedRead` (ROSTER_QUERY_TIMEOUT_MS). */
  readonly queryBudgetMs: number;
  /**
   * PostgreSQL: how many groups of concurrent Track writes commit at once (group commit,
   * services/track/track-service.ts; ROSTER_PG_WRITE_GROUPS). Absent on SQLite (one writer).
   */
  readonly writeGroups?: number;
  close(): Promise<void>;
  /**
   * PostgreSQL: changes other processes made, as they commit (LISTEN on `roster_changes`; see
   * migration 090), for what a server keeps in memory. Absent on SQLite (one server process).
   */
  readonly changes?: ChangeFeed;
  /**
   * SQLite: when workspace rows cached in memory may be stale (store/sqlite/workspace-feed.ts), the
   * counterpart of `changes` for the workspace cache alone.
   */
  readonly workspaceFeed?: ChangeFeed;
  /** SQLite with background checkpoints (`roster serve`): how many have moved pages so far. */
  readonly checkpointer?: { busyRuns(): number };
}

export interface ChangeListener {
  /** A change committed: `workspace:<id>`. */
  onChange(payload: string): void;
  /** Notifications may have been missed (the listening connection was lost or is back): forget all. */
  onReset(): void;
}

export interface ChangeFeed {
  /** Whether the feed listens now; when not, nothing read earlier is known to be current. */
  readonly live: boolean;
  /** Changes each time the feed connects or is lost. */
  readonly generation: number;
  subscribe(listener: ChangeListener): () => void;
  /** Resolves once the feed listens. */
  ready(): Promise<void>;
}

/** A COMMIT answered ROLLBACK: a statement of the transaction had failed, nothing was written. */
export class TransactionRolledBack extends Error {
  constructor() {
    super('the transaction was rolled back by PostgreSQL (an earlier statement failed)');
  }
}

/**
 * Whether `err` is PostgreSQL refusing a statement or a COMMIT (an error with a SQLSTATE: the
 * transaction did not commit), as opposed to a lost connection, after which whether a COMMIT
 * happened is unknown.
 */
export function refusedByDatabase(err: unknown): boolean {
  if (err instanceof TransactionRolledBack) return true;
  const e = err as { code?: unknown; severity?: unknown } | null | undefined;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

/** JSON columns come back as text from SQLite and parsed from PostgreSQL. */
export function parseJson<T = unknown>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  return value as T;
}

/** Serialises a value for a JSON column (text on SQLite, jsonb on PostgreSQL). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}
