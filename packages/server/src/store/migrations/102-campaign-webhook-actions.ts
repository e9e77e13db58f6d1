import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import { columnTypes } from './column-types.js';

/**
 * Campaign webhook actions (docs/webhooks.md "Campaign webhook actions"):
 * - `campaigns.action`: null (a push, as before) or the webhook action `{type, url, method,
 *   headers, body, secret}`;
 * - `webhook_subscriptions.campaign_id`: the endpoint of a campaign's webhook action, kept as a
 *   subscription of its own (its URL and signing secret, its deliveries and attempts) that the
 *   subscriptions API does not list and no activity selects;
 * - `webhook_deliveries.request`: for such a delivery, the method, the rendered headers and the
 *   message it reports its outcome to.
 * Nullable columns added; no data moves (milliseconds on both engines).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('campaigns').addColumn('action', t.json).execute();
  await db.schema.alterTable('webhook_subscriptions').addColumn('campaign_id', t.bigint).execute();
  await db.schema.alterTable('webhook_deliveries').addColumn('request', t.json).execute();
  await db.schema
    .createIndex('webhook_subscriptions_campaign')
    .on('webhook_subscriptions')
    .columns(['campaign_id'])
    .execute();
}
