import type SqliteDatabase from 'better-sqlite3';
import type { ChangeFeed } from '../store.js';

/** The tables a cached workspace row is read from (store/workspaces/queries.ts, store/pipelines/write-keys.ts). */
const WATCHED = ['workspaces', 'write_keys'];
const CHANGED = 'roster_workspaces_changed';
/**
 * Another connection's commits are looked for on every lookup (`PRAGMA data_version`, about 5% of
 * an identify's server CPU on SQLite: it takes the file's shared lock and reads the WAL index).
 * Looking at most every few milliseconds saved that, but then a change made by another process (a
 * `roster workspace rotate-keys` beside the server, a setting written to the file) could miss the
 * next request, and callers that change the file and then send a request rely on it not missing.
 */

/**
 * SQLite: what tells the workspace cache (services/workspace-cache.ts) that a cached row may be
 * stale, so a Track, App API or Pipelines request needs no read of its own. Every Track request
 * read its workspace row by site id: an autocommit read on the writer's connection, which waits
 * for the group commit in progress and begins a WAL read transaction of its own (about a tenth of
 * an identify's server CPU on SQLite, bench/ingest.mjs).
 *
 * `generation` moves, so every cached row is dropped, when
 * - this connection writes either table: temporary triggers (this connection's own, never in the
 *   file, so other processes need not know this function) call back into this process at the
 *   write, before its COMMIT — a rolled-back change only costs a read;
 * - another connection commits anything to the file (a `roster workspace rotate-keys` beside the
 *   server, a backup restore): `PRAGMA data_version`, checked by every lookup (so such a change is
 *   seen by the next request).
 * Not live until the triggers exist (they need the migrated tables, and are made between
 * transactions): nothing is cached before.
 */
export function sqliteWorkspaceFeed(raw: SqliteDatabase.Database): ChangeFeed {
  let generation = 0;
  let seenVersion: unknown;
  let installed = false;
  raw.function(CHANGED, { deterministic: false }, () => {
    generation++;
    return null;
  });
  const dataVersion = raw.prepare('pragma data_version').pluck();
  const install = (): boolean => {
    if (installed) return true;
    // Not inside a transaction of the group commit: the triggers would go with its rollback.
    if (raw.inTransaction) return false;
    const tables = raw
      .prepare(
        `select name from sqlite_master where type = 'table' and name in (${WATCHED.map(() => '?').join(', ')})`,
      )
      .pluck()
      .all(...WATCHED);
    if (tables.length < WATCHED.length) return false;
    for (const table of WATCHED)
      for (const event of ['insert', 'update', 'delete'])
        raw.exec(
          `create temp trigger if not exists roster_cache_${table}_${event} after ${event} on main.${table}
           begin select ${CHANGED}(); end`,
        );
    installed = true;
    return true;
  };
  return {
    get live() {
      return raw.open && install();
    },
    get generation() {
      if (!raw.open) return ++generation;
      const version = dataVersion.get();
      if (version !== seenVersion) {
        seenVersion = version;
        generation++;
      }
      return generation;
    },
    subscribe: () => () => {},
    ready: async () => {},
  };
}
