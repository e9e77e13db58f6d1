import type { PersonIdentifiers } from '../activities/activities.js';
import { parseJson, toJson, type Store, type Tx } from '../store.js';

/**
 * Metric → unix seconds. Only metrics that happened appear (docs/messaging.md "Messages and the
 * status lifecycle").
 */
export type MessageMetrics = Partial<
  Record<
    'drafted' | 'sent' | 'delivered' | 'opened' | 'converted' | 'bounced' | 'failed' | 'undeliverable',
    number
  >
>;
export type MessageMetric = keyof MessageMetrics;

/** Which campaign, broadcast or transactional template a message came from. */
export interface MessageRefs {
  transactionalMessageId?: string | null;
  campaignId?: number | null;
  actionId?: number | null;
  broadcastId?: number | null;
  triggerEventId?: string | null;
}

export interface NewMessage {
  deliveryId: string;
  workspaceId: number;
  personPid: number | null;
  identifiers: PersonIdentifiers | null;
  recipient: string | null;
  deliveryType: string | null;
  /** push (default) | webhook */
  type?: 'push' | 'webhook';
  refs?: MessageRefs;
  /** Null when retention is disabled. */
  title: string | null;
  body: string | null;
  metrics?: MessageMetrics;
  failureMessage?: string | null;
  createdAt: number;
}

export async function insertMessage(trx: Tx, m: NewMessage): Promise<void> {
  await trx
    .insertInto('delivery_workspaces')
    .values({ delivery_id: m.deliveryId, workspace_id: m.workspaceId })
    .execute();
  await trx
    .insertInto('messages')
    .values({
      delivery_id: m.deliveryId,
      workspace_id: m.workspaceId,
      person_pid: m.personPid,
      customer_identifiers: m.identifiers ? toJson(m.identifiers) : null,
      type: m.type ?? 'push',
      recipient: m.recipient,
      delivery_type: m.deliveryType,
      transactional_message_id: m.refs?.transactionalMessageId ?? null,
      campaign_id: m.refs?.campaignId ?? null,
      action_id: m.refs?.actionId ?? null,
      broadcast_id: m.refs?.broadcastId ?? null,
      trigger_event_id: m.refs?.triggerEventId ?? null,
      subject: null,
      title: m.title,
      body: m.body,
      metrics: toJson(m.metrics ?? {}),
      failure_message: m.failureMessage ?? null,
      created_at: m.createdAt,
    })
    .execute();
}

export interface MessageRow {
  deliveryId: string;
  workspaceId: number;
  personPid: number | null;
  identifiers: PersonIdentifiers | null;
  recipient: string | null;
  deliveryType: string | null;
  metrics: MessageMetrics;
  failureMessage: string | null;
}

/**
 * Reads a message for update. On PostgreSQL the row lock serialises the send result and SDK
 * metrics that touch the same message (read-modify-write of the metrics JSON).
 */
export async function findMessageForUpdate(
  store: Store,
  trx: Tx,
  deliveryId: string,
  workspaceId: number | null,
): Promise<MessageRow | undefined> {
  const ws = workspaceId ?? (await deliveryWorkspace(trx, deliveryId));
  if (ws === undefined) return undefined;
  const q = trx
    .selectFrom('messages')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('delivery_id', '=', deliveryId);
  const row = await (store.dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
  if (!row) return undefined;
  return {
    deliveryId: row.delivery_id,
    workspaceId: row.workspace_id,
    personPid: row.person_pid,
    identifiers: row.customer_identifiers ? parseJson<PersonIdentifiers>(row.customer_identifiers) : null,
    recipient: row.recipient,
    deliveryType: row.delivery_type,
    metrics: parseJson<MessageMetrics>(row.metrics),
    failureMessage: row.failure_message,
  };
}

/**
 * Records a metric the first time it happens (later reports of the same metric — SDK retries,
 * /push/events and /api/v1/metrics both firing — keep the first time). Returns whether it was new.
 */
export async function setMessageMetric(
  trx: Tx,
  message: MessageRow,
  metric: MessageMetric,
  at: number,
  failureMessage?: string,
): Promise<boolean> {
  if (message.metrics[metric] !== undefined) return false;
  message.metrics = { ...message.metrics, [metric]: at };
  await trx
    .updateTable('messages')
    .set({
      metrics: toJson(message.metrics),
      ...(failureMessage !== undefined ? { failure_message: failureMessage } : {}),
    })
    .where('workspace_id', '=', message.workspaceId)
    .where('delivery_id', '=', message.deliveryId)
    .execute();
  return true;
}

/** Which workspace and person the `messages` row of a delivery Roster sent belongs to, if any. */
export async function messageOwner(
  trx: Tx,
  deliveryId: string,
  workspaceId: number | null,
): Promise<{ workspaceId: number; personPid: number | null } | undefined> {
  const ws = workspaceId ?? (await deliveryWorkspace(trx, deliveryId));
  if (ws === undefined) return undefined;
  const row = await trx
    .selectFrom('messages')
    .select(['workspace_id', 'person_pid'])
    .where('workspace_id', '=', ws)
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
  return (
    row && {
      workspaceId: Number(row.workspace_id),
      personPid: row.person_pid === null ? null : Number(row.person_pid),
    }
  );
}

/**
 * The workspace of a delivery Roster sent (`delivery_workspaces`), for the routes that know only a
 * delivery id: they then read `messages` within that workspace.
 */
export async function deliveryWorkspace(trx: Tx, deliveryId: string): Promise<number | undefined> {
  const row = await trx
    .selectFrom('delivery_workspaces')
    .select('workspace_id')
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
  return row ? Number(row.workspace_id) : undefined;
}

/**
 * Records a campaign webhook's outcome on its message (`sent`, or `failed` with the reason), the
 * first time only. Scoped by the delivery's workspace, like every statement on `messages` (Citus
 * shards it by workspace: docs/scaling.md "Past one database").
 */
export async function setWebhookMessageOutcome(
  trx: Tx,
  ws: number,
  deliveryId: string,
  metric: 'sent' | 'failed',
  at: number,
  failureMessage: string | null,
): Promise<void> {
  const row = await trx
    .selectFrom('messages')
    .select(['metrics'])
    .where('workspace_id', '=', ws)
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirst();
  if (!row) return;
  const metrics = parseJson<MessageMetrics>(row.metrics);
  if (metrics[metric] !== undefined) return;
  await trx
    .updateTable('messages')
    .set({
      metrics: toJson({ ...metrics, [metric]: at }),
      ...(failureMessage !== null ? { failure_message: failureMessage } : {}),
    })
    .where('workspace_id', '=', ws)
    .where('delivery_id', '=', deliveryId)
    .execute();
}
