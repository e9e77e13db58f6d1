import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { HISTORY_TABLES } from '../history/partitions.js';

/**
 * PostgreSQL: `events` and `activities` get a DEFAULT partition (`events_default`,
 * `activities_default`), so a row whose receive time falls in no month partition — a server clock
 * far off, history imported from long ago — is stored instead of failing the write with "no
 * partition of relation found for row". When the month partition for such rows is created later,
 * they move into it (store/history/partitions.ts); retention deletes the default partition's rows
 * older than the retention. Creating an empty partition takes milliseconds whatever the table's
 * size (PostgreSQL checks only that no existing partition overlaps). SQLite: nothing.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of HISTORY_TABLES)
    await sql.raw(`create table if not exists ${table}_default partition of ${table} default`).execute(db);
}
