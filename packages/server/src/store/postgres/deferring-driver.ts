import {
  CompiledQuery,
  PostgresDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { inlineSql } from './inline-sql.js';
import { HeldWrites } from './held-writes.js';
import type { TableCatalog } from './table-catalog.js';

/**
 * A PostgreSQL connection that can hold statements back and send them with the next one, as one
 * simple-protocol query: one round trip (and one entry in PostgreSQL's statement log) instead of
 * one each.
 *
 * Why: a Track write's statements are few and small, and on PostgreSQL each costs a round trip
 * (client → server → client, plus the server's per-message work). An identify used to be six:
 * `begin` with its locks, the read, the update, the history insert, `commit`. What does not need
 * an answer before the write goes on — `begin` and its locks, an UPDATE or an INSERT whose result
 * nobody reads — waits here and travels with the next statement that does (the read; `commit`).
 * An error in a held statement surfaces at that next statement, still inside the transaction, so
 * the transaction fails as a whole exactly as it would have statement by statement. Held writes
 * of the same shape are merged into set-based statements on the way (held-writes.ts).
 */
export class DeferringConnection implements DatabaseConnection {
  private readonly held: HeldWrites;
  /** Whether anything went to the server since `reset` (a transaction to roll back). */
  sent = false;

  constructor(
    readonly inner: DatabaseConnection,
    catalog?: TableCatalog,
    /** Merged UPDATEs sent with COMMIT may run as prepared statements (held-writes.ts). */
    prepare = false,
  ) {
    this.held = new HeldWrites(catalog, prepare);
  }

  /** Holds `sql` (already with its values inlined) until the next statement goes out. */
  hold(sql: string): void {
    this.held.text(sql);
  }

  /** Holds a statement with parameters; runs it now when its values cannot be inlined. */
  async defer(sql: string, params: readonly unknown[]): Promise<void> {
    if (!this.held.write(sql, params)) await this.executeQuery(CompiledQuery.raw(sql, [...params]));
  }

  /** Forgets what is held and that anything was sent (a new transaction begins). */
  reset(): void {
    this.held.clear();
    this.sent = false;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.sent = true;
    if (this.held.length === 0) return this.inner.executeQuery<R>(query);
    const held = this.held.take(query.sql === 'commit' && query.parameters.length === 0);
    const text = inlineSql(query.sql, query.parameters);
    try {
      let result: QueryResult<R>;
      if (text === undefined) {
        await this.inner.executeQuery(CompiledQuery.raw(held, []));
        result = await this.inner.executeQuery<R>(query);
      } else {
        // A query without parameters goes by the simple protocol, which runs several statements;
        // the pg client (see postgres-store.ts) answers with the last one's result.
        result = await this.inner.executeQuery<R>(CompiledQuery.raw(`${held};\n${text}`, []));
      }
      this.held.settled(true);
      return result;
    } catch (err) {
      this.held.settled(false);
      throw err;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.held.length > 0) throw new Error('a stream cannot start while statements are held');
    this.sent = true;
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class DeferringDriver implements Driver {
  private readonly wrapped = new WeakMap<DatabaseConnection, DeferringConnection>();
  constructor(
    private readonly inner: Driver,
    private readonly catalog: TableCatalog | undefined,
    private readonly prepare: boolean,
  ) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const conn = await this.inner.acquireConnection();
    let wrapped = this.wrapped.get(conn);
    if (!wrapped)
      this.wrapped.set(conn, (wrapped = new DeferringConnection(conn, this.catalog, this.prepare)));
    return wrapped;
  }
  beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(conn, settings);
  }
  commitTransaction(conn: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(conn);
  }
  rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(conn);
  }
  savepoint(conn: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!(conn, name, compile);
  }
  rollbackToSavepoint(
    conn: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.inner.rollbackToSavepoint!(conn, name, compile);
  }
  releaseSavepoint(
    conn: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.inner.releaseSavepoint!(conn, name, compile);
  }
  releaseConnection(conn: DatabaseConnection): Promise<void> {
    const c = conn as DeferringConnection;
    // Nothing held may outlive its transaction on a pooled connection.
    c.reset();
    return this.inner.releaseConnection(c.inner);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/**
 * Kysely's PostgreSQL dialect whose connections are `DeferringConnection`s; with a catalog, they
 * merge held writes (held-writes.ts), and with `prepare` run the merged UPDATEs a COMMIT carries
 * as prepared statements.
 */
export class DeferringPostgresDialect extends PostgresDialect {
  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly catalog?: TableCatalog,
    private readonly prepare = false,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new DeferringDriver(super.createDriver(), this.catalog, this.prepare);
  }
}
