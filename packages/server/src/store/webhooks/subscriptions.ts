import { parseJson, toJson, type Tx } from '../store.js';

/** A subscription as the store keeps it (secrets included: only the service decides what to show). */
export interface SubscriptionRow {
  id: number;
  workspaceId: number;
  url: string;
  description: string;
  events: string[];
  eventNames: string[] | null;
  segmentIds: number[] | null;
  enabled: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretUntilMs: number | null;
  pausedReason: string | null;
  pausedAt: number | null;
  failureRun: number;
  /** Events per request at most (1: one event per request, the body an event object). */
  batch: number;
  /** The cursor (migration 132): the last event position taken, and the request at its head. */
  cursorPos: number;
  retryAttempts: number;
  retryAtMs: number;
  retryError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface SubscriptionWrite {
  url: string;
  description: string;
  events: readonly string[];
  eventNames: readonly string[] | null;
  segmentIds: readonly number[] | null;
  enabled: boolean;
  batch: number;
}

type Raw = {
  id: number | string;
  workspace_id: number | string;
  url: string;
  description: string;
  events: unknown;
  event_names: unknown;
  segment_ids: unknown;
  enabled: number | string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until_ms: number | string | null;
  paused_reason: string | null;
  paused_at: number | string | null;
  failure_run: number | string;
  batch: number | string;
  cursor_pos: number | string;
  retry_attempts: number | string;
  retry_at_ms: number | string;
  retry_error: string | null;
  created_at: number | string;
  updated_at: number | string;
};

function toRow(r: Raw): SubscriptionRow {
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    workspaceId: Number(r.workspace_id),
    url: r.url,
    description: r.description,
    events: parseJson<string[]>(r.events),
    eventNames: r.event_names === null ? null : parseJson<string[] | null>(r.event_names),
    segmentIds: r.segment_ids === null ? null : parseJson<number[] | null>(r.segment_ids),
    enabled: Number(r.enabled) === 1,
    secret: r.secret,
    previousSecret: r.previous_secret,
    previousSecretUntilMs: num(r.previous_secret_until_ms),
    pausedReason: r.paused_reason,
    pausedAt: num(r.paused_at),
    failureRun: Number(r.failure_run),
    batch: Number(r.batch),
    cursorPos: Number(r.cursor_pos),
    retryAttempts: Number(r.retry_attempts),
    retryAtMs: Number(r.retry_at_ms),
    retryError: r.retry_error,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

const json = (v: unknown) => (v === null ? null : toJson(v));

/** `cursorPos`: where its cursor starts (store/webhooks/cursors.ts `webhookHorizon`: after every event so far). */
export async function insertSubscription(
  trx: Tx,
  workspaceId: number,
  w: SubscriptionWrite,
  secret: string,
  now: number,
  cursorPos = 0,
): Promise<SubscriptionRow> {
  const row = await trx
    .insertInto('webhook_subscriptions')
    .values({
      workspace_id: workspaceId,
      url: w.url,
      description: w.description,
      events: toJson(w.events),
      event_names: json(w.eventNames),
      segment_ids: json(w.segmentIds),
      enabled: w.enabled ? 1 : 0,
      batch: w.batch,
      secret,
      previous_secret: null,
      previous_secret_until_ms: null,
      paused_reason: null,
      paused_at: null,
      cursor_pos: cursorPos,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRow(row as Raw);
}

/** Replaces the editable fields; turning a subscription on clears a pause and its failure run. */
export async function updateSubscription(
  trx: Tx,
  workspaceId: number,
  id: number,
  w: SubscriptionWrite,
  resume: boolean,
  now: number,
): Promise<SubscriptionRow | undefined> {
  const row = await trx
    .updateTable('webhook_subscriptions')
    .set({
      url: w.url,
      description: w.description,
      events: toJson(w.events),
      event_names: json(w.eventNames),
      segment_ids: json(w.segmentIds),
      enabled: w.enabled ? 1 : 0,
      batch: w.batch,
      updated_at: now,
      ...(resume ? { paused_reason: null, paused_at: null, failure_run: 0 } : {}),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toRow(row as Raw);
}

export async function rotateSubscriptionSecret(
  trx: Tx,
  workspaceId: number,
  id: number,
  secret: string,
  previousUntilMs: number,
  now: number,
): Promise<SubscriptionRow | undefined> {
  const row = await trx
    .updateTable('webhook_subscriptions')
    .set((eb) => ({
      previous_secret: eb.ref('secret'),
      previous_secret_until_ms: previousUntilMs,
      secret,
      updated_at: now,
    }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toRow(row as Raw);
}

export async function deleteSubscription(trx: Tx, workspaceId: number, id: number): Promise<boolean> {
  // Its deliveries and attempts go with it (foreign keys cascade, migrations 100 and 131).
  const r = await trx
    .deleteFrom('webhook_subscriptions')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function findSubscription(
  db: Tx,
  workspaceId: number,
  id: number,
): Promise<SubscriptionRow | undefined> {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', 'is', null)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRow(row as Raw);
}

export async function findSubscriptionById(
  db: Tx,
  workspaceId: number,
  id: number,
): Promise<SubscriptionRow | undefined> {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRow(row as Raw);
}

export async function listSubscriptions(db: Tx, workspaceId: number): Promise<SubscriptionRow[]> {
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => toRow(r as Raw));
}

/** The subscriptions that get new deliveries written (on, paused or not). */
export async function enabledSubscriptions(db: Tx, workspaceId: number): Promise<SubscriptionRow[]> {
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', 'is', null)
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
  return rows.map((r) => toRow(r as Raw));
}

/** The endpoint of a campaign's webhook action (docs/webhooks.md "Campaign webhook actions"). */
export async function campaignSubscriptionId(
  db: Tx,
  workspaceId: number,
  campaignId: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/**
 * Creates or updates the endpoint of a campaign's webhook action: a subscription to no event kind,
 * which the subscriptions API neither lists nor changes, holding the URL and the signing secret.
 */
export async function saveCampaignSubscription(
  trx: Tx,
  c: { workspaceId: number; campaignId: number; url: string; secret: string },
  now: number,
): Promise<number> {
  const existing = await campaignSubscriptionId(trx, c.workspaceId, c.campaignId);
  if (existing !== undefined) {
    await trx
      .updateTable('webhook_subscriptions')
      .set({
        url: c.url,
        secret: c.secret,
        enabled: 1,
        paused_at: null,
        paused_reason: null,
        updated_at: now,
      })
      .where('workspace_id', '=', c.workspaceId)
      .where('id', '=', existing)
      .execute();
    return existing;
  }
  const row = await trx
    .insertInto('webhook_subscriptions')
    .values({
      workspace_id: c.workspaceId,
      campaign_id: c.campaignId,
      url: c.url,
      description: `campaign ${c.campaignId} webhook action`,
      events: toJson([]),
      event_names: null,
      segment_ids: null,
      enabled: 1,
      secret: c.secret,
      previous_secret: null,
      previous_secret_until_ms: null,
      paused_reason: null,
      paused_at: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
