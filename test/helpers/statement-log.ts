import pg from 'pg';
import { createTestDatabase, TEST_DATABASE_URL } from './postgres.js';
import { startServer, type ServerProcess } from './server-process.js';

/**
 * PostgreSQL's own statement log, read back through SQL (`pg_read_file`, so it works wherever the
 * test's role may read server files: a superuser, as on CI and the dev machine). A test sets
 * `log_statement = all` on a database it created and counts what the server logged for it.
 *
 * Where the log is: the logging collector's file (`pg_current_logfile()`), or else the server's
 * stderr, which Debian's `pg_ctlcluster` points at /var/log/postgresql/…: a backend's own
 * `/proc/self/fd/2` is that file. Each entry of the statement log is one statement the server was
 * sent: a simple query holding several statements is one entry (one round trip), an extended-
 * protocol execution is one entry (`execute <name>: …`).
 */
export interface StatementLog {
  /** Where the log ends now. */
  mark(): Promise<number>;
  /** The statements logged for `database` since `mark`, first lines only. */
  since(mark: number, database: string): Promise<string[]>;
  /** The same, each in full (a statement's text can span lines). */
  sinceFull(mark: number, database: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens the log, or explains why it cannot be read here. */
export async function openStatementLog(adminUrl: string): Promise<StatementLog | string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const prefix = (await admin.query<{ p: string }>('select current_setting($1) as p', ['log_line_prefix']))
      .rows[0]!.p;
    if (!prefix.includes('%d')) {
      await admin.end();
      return `log_line_prefix (${prefix}) does not name the database`;
    }
    const current = (await admin.query<{ f: string | null }>('select pg_current_logfile() as f')).rows[0]!.f;
    const file = current ?? '/proc/self/fd/2';
    const size = async () =>
      Number(
        (await admin.query<{ size: string }>('select size from pg_stat_file($1)', [file])).rows[0]!.size,
      );
    await size();
    await admin.query('select pg_read_file($1, 0, 1)', [file]);
    const read = async (mark: number) => {
      const end = await size();
      return (
        await admin.query<{ t: string }>('select pg_read_file($1, $2, $3) as t', [file, mark, end - mark])
      ).rows[0]!.t;
    };
    const isStatement = (l: string, database: string) =>
      l.includes(`@${database} `) && /LOG: {2}(statement|execute [^:]+):/.test(l);
    return {
      mark: size,
      async since(mark, database) {
        return (await read(mark))
          .split('\n')
          .filter((l) => isStatement(l, database))
          .map((l) => l.replace(/^.*?LOG: {2}/, ''));
      },
      async sinceFull(mark, database) {
        // An entry starts with the line prefix's timestamp; the lines after it, up to the next
        // entry, continue its text.
        const entries: string[] = [];
        for (const line of (await read(mark)).split('\n')) {
          if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(line)) entries.push(line);
          else if (entries.length > 0) entries[entries.length - 1] += `\n${line}`;
        }
        return entries.filter((e) => isStatement(e, database)).map((e) => e.replace(/^.*?LOG: {2}/, ''));
      },
      close: () => admin.end(),
    };
  } catch (err) {
    await admin.end().catch(() => undefined);
    return `the server log cannot be read through SQL: ${(err as Error).message}`;
  }
}

/** Background loops off, so that what the log holds is what the requests sent. */
export const NO_BACKGROUND_WORK: Record<string, string> = {
  ROSTER_DELIVERY_WORKER: '0',
  ROSTER_BROADCAST_WORKER: '0',
  ROSTER_SEGMENT_RECHECK_SECONDS: '3600',
};

/** A server on a PostgreSQL database of its own whose statements are all logged, and that log. */
export interface LoggedServer {
  server: ServerProcess;
  log: StatementLog;
  /** The database's name, as the log names it (`log.since(mark, database)`). */
  database: string;
  /** Stops the server, drops the database, closes the log. */
  close(): Promise<void>;
}

/**
 * Creates a test database with `log_statement = all` (it applies to the connections the server
 * opens afterwards) and starts a server on it. Where the log cannot be read through SQL, undefined
 * and a notice naming what is skipped (`skipping`); on CI, an error.
 */
export async function startLoggedServer(o: {
  name: string;
  skipping: string;
  env?: Record<string, string>;
}): Promise<LoggedServer | undefined> {
  const opened = await openStatementLog(TEST_DATABASE_URL!);
  if (typeof opened === 'string') {
    if (process.env.CI) throw new Error(opened);
    console.warn(`[roster tests] statement log unreadable, skipping ${o.skipping}: ${opened}`);
    return undefined;
  }
  const db = await createTestDatabase(o.name);
  const database = new URL(db.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`alter database "${database}" set log_statement = 'all'`);
  await admin.end();
  let server: ServerProcess;
  try {
    server = await startServer({
      engine: 'postgres',
      databaseUrl: db.url,
      database: db,
      ...(o.env ? { env: o.env } : {}),
    });
  } catch (err) {
    await db.drop();
    await opened.close();
    throw err;
  }
  return {
    server,
    log: opened,
    database,
    async close() {
      await server.cleanup();
      await db.drop();
      await opened.close();
    },
  };
}
