import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { widenPrimaryKey } from './workspace-keys.js';

/**
 * PostgreSQL: `campaign_pending_sends` keyed `(id, workspace_id)` where it was `(id)`
 * (docs/scaling.md "Past one database"), as migration 122 did for the other queues. No foreign key
 * points at it; the key is rebuilt once, reading the table (a queue of sends not yet rendered: small),
 * and the rows stay. SQLite: nothing (one database).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await widenPrimaryKey(db, 'campaign_pending_sends', ['id', 'workspace_id']);
}
