import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { MessagesTable } from '../schema/index.js';
import type { Tx } from '../store.js';

/** A `messages` row as read back (JSON columns still unparsed). */
export type MessageReadRow = Selectable<MessagesTable>;

/** `metrics` (a JSON object on `messages`) has `metric`: the same test on both engines. */
export function hasMetric(dialect: DialectName, metric: string, column = 'metrics'): RawBuilder<boolean> {
  return dialect === 'postgres'
    ? sql<boolean>`(${sql.ref(column)} ->> ${metric}) is not null`
    : sql<boolean>`json_extract(${sql.ref(column)}, ${`$.${metric}`}) is not null`;
}

export async function messageById(
  db: Tx,
  workspaceId: number,
  deliveryId: string,
): Promise<MessageReadRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
}

export interface MessageFilter {
  workspaceId: number;
  personPid?: number | undefined;
  type?: string | undefined;
  /** A metric the message has; `attempted` = any send attempt (sent, bounced or failed). */
  metric?: string | undefined;
  campaignId?: number | undefined;
  broadcastId?: number | undefined;
  startTs?: number | undefined;
  endTs?: number | undefined;
  /** Keyset: only delivery ids before this one. */
  beforeDeliveryId?: string | undefined;
  limit: number;
}

/** Messages newest first (by delivery id, a ULID). */
export async function listMessages(
  db: Tx,
  dialect: DialectName,
  f: MessageFilter,
): Promise<MessageReadRow[]> {
  let query = db.selectFrom('messages').selectAll().where('workspace_id', '=', f.workspaceId);
  if (f.personPid !== undefined) query = query.where('person_pid', '=', f.personPid);
  if (f.type) query = query.where('type', '=', f.type);
  if (f.metric === 'attempted')
    query = query.where(
      sql<boolean>`(${hasMetric(dialect, 'sent')} or ${hasMetric(dialect, 'bounced')} or ${hasMetric(dialect, 'failed')})`,
    );
  else if (f.metric) query = query.where(hasMetric(dialect, f.metric));
  if (f.campaignId !== undefined) query = query.where('campaign_id', '=', f.campaignId);
  if (f.broadcastId !== undefined) query = query.where('broadcast_id', '=', f.broadcastId);
  if (f.startTs !== undefined) query = query.where('created_at', '>=', f.startTs);
  if (f.endTs !== undefined) query = query.where('created_at', '<=', f.endTs);
  if (f.beforeDeliveryId !== undefined) query = query.where('delivery_id', '<', f.beforeDeliveryId);
  return query.orderBy('delivery_id', 'desc').limit(f.limit).execute();
}

export interface CampaignCounts {
  sent: number;
  delivered: number;
  opened: number;
  bounced: number;
  failed: number;
}

const COUNTED = ['sent', 'delivered', 'opened', 'bounced', 'failed'] as const;

/** Delivery counts per campaign (triggered: `campaign_id`; broadcasts: `broadcast_id`). */
export async function campaignCounts(
  db: Tx,
  dialect: DialectName,
  workspaceId: number,
  ids: readonly number[],
): Promise<Map<number, CampaignCounts>> {
  const out = new Map<number, CampaignCounts>();
  if (ids.length === 0) return out;
  const counts = COUNTED.map((m) =>
    sql<number>`sum(case when ${hasMetric(dialect, m)} then 1 else 0 end)`.as(m),
  );
  const rows = await db
    .selectFrom('messages')
    .select([sql<number>`coalesce(campaign_id, broadcast_id)`.as('cid'), ...counts])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('campaign_id', 'in', [...ids]), eb('broadcast_id', 'in', [...ids])]))
    .groupBy(sql`coalesce(campaign_id, broadcast_id)`)
    .execute();
  for (const r of rows as Array<Record<string, unknown>>) {
    out.set(Number(r.cid), {
      sent: Number(r.sent ?? 0),
      delivered: Number(r.delivered ?? 0),
      opened: Number(r.opened ?? 0),
      bounced: Number(r.bounced ?? 0),
      failed: Number(r.failed ?? 0),
    });
  }
  return out;
}
