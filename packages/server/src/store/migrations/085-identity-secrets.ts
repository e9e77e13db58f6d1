import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Signed identify (docs/security.md "Signed identify"): each workspace keeps the secrets its
 * backend signs identifiers with, as a JSON list `[{secret, created_at, retires_at}]` beside its
 * keys (read with the workspace on every Track request, so checking a signature costs no query).
 * Unlike the API keys these cannot be stored hashed: verifying an HMAC needs the secret itself. A
 * new column with no default work: existing rows read NULL (no secret, verification off).
 * Idempotent: skipped when present.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const has =
    dialect === 'postgres'
      ? await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
          where table_name = 'workspaces' and column_name = 'identity_secrets' and table_schema = current_schema()`.execute(
          db,
        )
      : await sql<{
          n: number;
        }>`select count(*) as n from pragma_table_info('workspaces') where name = 'identity_secrets'`.execute(
          db,
        );
  if (Number(has.rows[0]?.n ?? 0) > 0) return;
  await db.schema.alterTable('workspaces').addColumn('identity_secrets', columnTypes(dialect).json).execute();
}
