import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { widenPrimaryKey } from './workspace-keys.js';

/**
 * PostgreSQL: the primary keys of the workspace tables that no foreign key points at take
 * `workspace_id` in (docs/scaling.md "Past one database"): `(id, workspace_id)` where they were
 * `(id)`. Each key is rebuilt once, reading its table: about 2.5 s per million rows (2-core machine
 * at load average 20); writes to that table wait meanwhile.
 *
 * `delivery_metrics.workspace_id` becomes NOT NULL (a key column): rows without a workspace —
 * metrics for deliveries nobody owned, which releases before the no-key routes' fix stored — are
 * deleted, on both engines; nothing could read them. SQLite's keys stay as they are (one database).
 */
const TABLES = [
  ['delivery_metrics', 'seq'],
  ['import_jobs', 'id'],
  ['pipelines_errors', 'id'],
  ['object_activities', 'id'],
  ['outbox', 'id'],
  ['segment_catchup', 'id'],
  ['transactional_messages', 'id'],
  ['email_merges', 'pid'],
  ['messages', 'delivery_id'],
  ['broadcast_triggers', 'id'],
] as const;

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await sql`delete from delivery_metrics where workspace_id is null`.execute(db);
  if (dialect !== 'postgres') return;
  await sql`alter table delivery_metrics alter column workspace_id set not null`.execute(db);
  for (const [table, id] of TABLES) await widenPrimaryKey(db, table, [id, 'workspace_id']);
}
