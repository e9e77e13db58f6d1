import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Deliveries of a paused or disabled subscription are held (`webhook_deliveries.blocked = 2`, see
 * store/webhooks/deliveries.ts `HELD`) so the claim, which reads claimable rows (`blocked = 0`) from
 * the partial index `webhook_deliveries_pending`, no longer reads past them on every poll. Existing
 * pending rows of such subscriptions are held here, in one statement over the pending rows only;
 * turning the subscription back on releases them. No row is added or removed: what was pending
 * before the upgrade is still pending after it.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await sql`update webhook_deliveries set blocked = 2
    where status = 'pending' and blocked = 0 and subscription_id in (
      select id from webhook_subscriptions where enabled != 1 or paused_at is not null)`.execute(db);
}
