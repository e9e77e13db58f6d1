import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { widenPrimaryKey } from './workspace-keys.js';

/**
 * PostgreSQL: the webhook tables keyed by workspace (docs/scaling.md "Past one database"):
 * `webhook_subscriptions`, `webhook_deliveries`, `webhook_attempts` and `webhook_events` get
 * `(id, workspace_id)` where they had `(id)`, and the foreign keys of deliveries and attempts to
 * their subscription become `(subscription_id, workspace_id)`. Each key is rebuilt once and each
 * foreign key checked once against its rows (about 2.5 s per million rows, as migration 122);
 * writes to these tables wait meanwhile. No row moves: pending deliveries stay pending. SQLite:
 * nothing (one database).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await widenPrimaryKey(db, 'webhook_subscriptions', ['id', 'workspace_id']);
  for (const table of ['webhook_deliveries', 'webhook_attempts', 'webhook_events'])
    await widenPrimaryKey(db, table, ['id', 'workspace_id']);
}
