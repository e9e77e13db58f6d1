import { backupSqlite } from '../store/sqlite/backup.js';
import { commandArgs, requireExistingStore } from './args.js';
import { storeConfig } from './config.js';

const USAGE = `usage:
  roster backup FILE [--data DIR]
  An online, consistent copy of the SQLite store (safe while roster serve runs). Restore: stop the
  server, replace DATA/roster.db with the copy (removing roster.db-wal and roster.db-shm), start.
  PostgreSQL: use pg_dump / pg_basebackup (see docs/operations.md).`;

/** `roster backup FILE`: SQLite online backup. */
export async function backupCommand(args: string[]): Promise<number> {
  const parsed = commandArgs('backup', USAGE, args, {
    data: { type: 'string' },
    'database-url': { type: 'string' },
  });
  if (!parsed.ok) return parsed.code;
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = storeConfig({ data: values.data, 'database-url': values['database-url'] });
  if (config.databaseUrl) {
    process.stderr.write(
      'roster backup copies the SQLite store; for PostgreSQL use its own tools, e.g.\n' +
        '  pg_dump --format=custom --file roster.dump "$DATABASE_URL"   (restore: pg_restore --clean -d …)\n',
    );
    return 2;
  }
  requireExistingStore(config);
  const r = await backupSqlite(config.dataDir, file);
  process.stdout.write(
    `backed up ${config.dataDir} to ${r.file} (${r.bytes} bytes) in ${(r.ms / 1000).toFixed(1)}s\n`,
  );
  return 0;
}
