import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Write-key rotation with an overlap (docs/pipelines.md "Write keys"): a replaced write key can
 * stay accepted until `retires_at` (unix seconds), so apps already shipped with it keep sending
 * while a release with the new key rolls out. A new nullable column, no data moved: existing keys
 * read NULL (current, never retiring). Idempotent: skipped when present.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const has =
    dialect === 'postgres'
      ? await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
          where table_name = 'write_keys' and column_name = 'retires_at' and table_schema = current_schema()`.execute(
          db,
        )
      : await sql<{
          n: number;
        }>`select count(*) as n from pragma_table_info('write_keys') where name = 'retires_at'`.execute(db);
  if (Number(has.rows[0]?.n ?? 0) > 0) return;
  await db.schema.alterTable('write_keys').addColumn('retires_at', columnTypes(dialect).bigint).execute();
}
