import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** Percent of each new `people` page filled by inserts (docs/scaling.md "Updates in place"). */
export const PEOPLE_FILLFACTOR = 80;

/**
 * PostgreSQL: `people` pages keep a fifth free, so that an identify that changes a person's
 * attributes can write the new row version on the same page (a HOT update) instead of adding an
 * entry to each of the table's 7 indexes. No identify changes an indexed column but id and email,
 * so with room on the page most updates become HOT. Packed pages (the default, 100) had none:
 * replaying a v2 batch of 100 updates, 920 WAL records (9 a row); with room, 1 a row for each HOT
 * update. Metadata only: pages written from now on follow it, existing ones as they are rewritten
 * (`VACUUM FULL people` rewrites them all, under an exclusive lock). SQLite: nothing (no such setting).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw(`alter table people set (fillfactor = ${PEOPLE_FILLFACTOR})`).execute(db);
}
