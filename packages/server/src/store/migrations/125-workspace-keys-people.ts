import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { widenPrimaryKey } from './workspace-keys.js';

/**
 * PostgreSQL: `people` keyed `(pid, workspace_id)` (docs/scaling.md "Past one database"), and the
 * foreign keys that point at it — from `devices`, `events`, `anonymous_links`, `relationships`,
 * `segment_memberships` — become `(person_pid, workspace_id)`. The key is rebuilt once and each
 * foreign key checked once against its table's rows (measured in docs/operations.md); reads and
 * writes of `people` and those tables wait until the migration commits. SQLite: nothing.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await widenPrimaryKey(db, 'people', ['pid', 'workspace_id']);
}
