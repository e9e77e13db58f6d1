import type { Kysely } from 'kysely';

/**
 * App API reads (docs/app-api.md): search pages people by `pid` within a workspace (keyset
 * pagination), so `(workspace_id, pid)` lets every page be one index range scan that stops after
 * `limit` matches. Without it both engines read the workspace through an identifier index and sort.
 * Numbered 20 to stay clear of the numbers other issues take.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('people_ws_pid').on('people').columns(['workspace_id', 'pid']).execute();
}
