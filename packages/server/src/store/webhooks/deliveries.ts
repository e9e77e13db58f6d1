import { sql } from 'kysely';
import { claimUnderLease } from '../lease-claim.js';
import { cursorBacklog } from './cursor-prune.js';
import { lockWebhookFanOut, pendingKeys } from './events.js';
import { parseJson, toJson, type Store, type Tx } from '../store.js';

/** How a campaign webhook action's delivery is sent, and the message it reports to. */
export interface CampaignWebhookRequest {
  method: string;
  headers: Record<string, string>;
  message_id: string;
}

/**
 * Queues one campaign webhook action's request (docs/webhooks.md "Campaign webhook actions") for
 * the campaign's endpoint subscription, in the caller's transaction. Its order key is its own, so
 * it never waits behind another delivery.
 */
export async function enqueueCampaignWebhook(
  trx: Tx,
  d: {
    workspaceId: number;
    subscriptionId: number;
    eventId: string;
    payload: unknown;
    request: CampaignWebhookRequest;
    runAtMs: number;
    nowMs: number;
  },
): Promise<void> {
  await trx
    .insertInto('webhook_deliveries')
    .values({
      workspace_id: d.workspaceId,
      subscription_id: d.subscriptionId,
      event_id: d.eventId,
      event: 'campaign.webhook',
      order_key: `campaign-webhook:${d.eventId}`,
      payload: toJson(d.payload),
      status: 'pending',
      attempts: 0,
      run_at_ms: d.runAtMs,
      created_at_ms: d.nowMs,
      blocked: 0,
      request: toJson(d.request),
    })
    .execute();
}

/**
 * `blocked` values (migration 105, and 130 for `HELD`): 0 the oldest pending delivery of its
 * subscription and person (claimable), 1 waiting behind an older one, 2 the oldest but its
 * subscription is paused or off. The claim reads only 0 from the partial index
 * `webhook_deliveries_pending`, so a paused subscription's backlog costs it nothing.
 */
export const HELD = 2;

/**
 * Holds a paused or disabled subscription's claimable deliveries (0 → 2), or releases them when it
 * runs again (2 → 0), in the caller's transaction. Only the head of each person's queue moves, so
 * order per person is unchanged. Reads the pending rows of the partial index only.
 */
export async function holdSubscriptionDeliveries(
  trx: Tx,
  workspaceId: number,
  subscriptionId: number,
  held: boolean,
): Promise<void> {
  await trx
    .updateTable('webhook_deliveries')
    .set({ blocked: held ? HELD : 0 })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'pending')
    .where('blocked', '=', held ? 0 : HELD)
    .where('subscription_id', '=', subscriptionId)
    .execute();
}

export interface ClaimedWebhook {
  id: number;
  workspaceId: number;
  subscriptionId: number;
  eventId: string;
  event: string;
  orderKey: string;
  /** The body one delivery of it sends, as JSON text (sent as it is, not parsed and written again). */
  payload: string;
  /** Set for a campaign webhook action's delivery. */
  request: CampaignWebhookRequest | null;
  /** Including this claim. */
  attempts: number;
  createdAtMs: number;
  claim: string;
  claimedUntilMs: number;
}

/**
 * Claims due deliveries for `claim` until `nowMs + leaseMs`, oldest due first, as many as `take`
 * accepts (it sees each candidate's subscription: the worker spreads its lanes and fills batches).
 * A delivery is due when it is pending, not blocked (no older delivery of the same subscription and
 * `order_key` is pending — what keeps each person's deliveries in order across retries and
 * workers), its time has come, nobody holds a live lease on it, and its subscription is on and not
 * paused. Unblocked pending rows have their own partial index, so rows waiting behind another are
 * never read here.
 *
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` so concurrent claimers pass over each other's rows. SQLite:
 * one writer at a time makes selection and claim atomic.
 */
export async function claimWebhookDeliveries(
  store: Store,
  opts: {
    claim: string;
    nowMs: number;
    leaseMs: number;
    /** Candidates read at most. */
    limit: number;
    /** Whether to claim this candidate (its subscription, and that subscription's `batch`). */
    take: (subscriptionId: number, batch: number) => boolean;
  },
): Promise<ClaimedWebhook[]> {
  const { claim, nowMs, limit } = opts;
  // The workspaces of the candidates: the claim's UPDATE names them (Citus routes it by them).
  const workspaces = new Map<number, number>();
  const { rows, claimedUntilMs: until } = await claimUnderLease(store, {
    claim,
    nowMs,
    leaseMs: opts.leaseMs,
    candidates: async (trx, parts) =>
      (
        await sql<{
          id: number | string;
          workspace_id: number | string;
          subscription_id: number | string;
          batch: number | string;
        }>`
          select d.id, d.workspace_id, d.subscription_id, s.batch from webhook_deliveries d
          join webhook_subscriptions s on s.id = d.subscription_id and s.workspace_id = d.workspace_id
          where ${parts.due('d')} and d.blocked = 0
            and s.enabled = 1 and s.paused_at is null
          order by d.run_at_ms, d.id
          limit ${limit}${parts.lock('d')}`.execute(trx)
      ).rows,
    pick: (c) => {
      workspaces.set(Number(c.id), Number(c.workspace_id));
      return opts.take(Number(c.subscription_id), Number(c.batch));
    },
    mark: (trx, ids, set) =>
      trx
        .updateTable('webhook_deliveries')
        .set(set)
        .where('workspace_id', 'in', [...new Set(ids.map((id) => workspaces.get(id)!))])
        .where('id', 'in', ids)
        .returning([
          'id',
          'workspace_id',
          'subscription_id',
          'event_id',
          'event',
          'order_key',
          'payload',
          'request',
          'attempts',
          'created_at_ms',
        ])
        .execute(),
  });
  return rows
    .map((r) => ({
      id: Number(r.id),
      workspaceId: Number(r.workspace_id),
      subscriptionId: Number(r.subscription_id),
      eventId: r.event_id,
      event: r.event,
      orderKey: r.order_key,
      payload: typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload),
      request: r.request === null ? null : parseJson<CampaignWebhookRequest>(r.request),
      attempts: Number(r.attempts),
      createdAtMs: Number(r.created_at_ms),
      claim,
      claimedUntilMs: until,
    }))
    .sort((a, b) => a.id - b.id);
}

/** What one HTTP attempt came to. */
export interface AttemptRecord {
  attemptedAtMs: number;
  statusCode: number | null;
  latencyMs: number;
  outcome: 'delivered' | 'retry' | 'failed';
  error: string | null;
  responseExcerpt: string | null;
}

/** Releases the delivery to run again at `runAtMs`; `refund` gives back the claim's attempt. */
export async function rescheduleWebhookDelivery(
  trx: Tx,
  job: ClaimedWebhook,
  runAtMs: number,
  lastError: string | null,
  refund = false,
): Promise<boolean> {
  const r = await trx
    .updateTable('webhook_deliveries')
    .set({
      run_at_ms: runAtMs,
      last_error: lastError,
      claimed_by: null,
      claimed_until_ms: null,
      ...(refund ? { attempts: sql<number>`attempts - 1` } : {}),
    })
    .where('workspace_id', '=', job.workspaceId)
    .where('id', '=', job.id)
    .where('claimed_by', '=', job.claim)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface DeliveryView {
  id: number;
  eventId: string;
  event: string;
  status: string;
  attempts: number;
  runAtMs: number;
  lastError: string | null;
  createdAtMs: number;
  finishedAtMs: number | null;
  payload: unknown;
}

/** A subscription's deliveries, newest first, before `beforeId`. */
export async function listWebhookDeliveries(
  db: Tx,
  subscriptionId: number,
  opts: { limit: number; beforeId?: number | undefined; status?: string | undefined },
): Promise<DeliveryView[]> {
  let q = db
    .selectFrom('webhook_deliveries')
    .select([
      'id',
      'event_id',
      'event',
      'status',
      'attempts',
      'run_at_ms',
      'last_error',
      'created_at_ms',
      'finished_at_ms',
      'payload',
    ])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    eventId: r.event_id,
    event: r.event,
    status: r.status,
    attempts: Number(r.attempts),
    runAtMs: Number(r.run_at_ms),
    lastError: r.last_error,
    createdAtMs: Number(r.created_at_ms),
    finishedAtMs: r.finished_at_ms === null ? null : Number(r.finished_at_ms),
    payload: parseJson(r.payload),
  }));
}

export interface AttemptView extends AttemptRecord {
  id: number;
  deliveryId: number;
  eventId: string;
}

/** A subscription's attempts, newest first, before `beforeId` (optionally of one delivery). */
export async function listWebhookAttempts(
  db: Tx,
  subscriptionId: number,
  opts: { limit: number; beforeId?: number | undefined; deliveryId?: number | undefined },
): Promise<AttemptView[]> {
  let q = db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  if (opts.deliveryId !== undefined) q = q.where('delivery_id', '=', opts.deliveryId);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    deliveryId: Number(r.delivery_id),
    eventId: r.event_id,
    attemptedAtMs: Number(r.attempted_at_ms),
    statusCode: r.status_code === null ? null : Number(r.status_code),
    latencyMs: Number(r.latency_ms),
    outcome: r.outcome as AttemptRecord['outcome'],
    error: r.error,
    responseExcerpt: r.response_excerpt,
  }));
}

/**
 * Queues finished deliveries of a subscription again as new rows (same event id, so a receiver
 * that already has one can tell; after every pending row of the same person, so order holds).
 * `ids`: these deliveries; otherwise every failed one created at or after `sinceMs`. At most `limit`.
 * Returns the new rows' ids.
 */
export async function replayWebhookDeliveries(
  trx: Tx,
  dialect: Store['dialect'],
  subscriptionId: number,
  opts: { ids?: readonly number[]; sinceMs?: number; limit: number; nowMs: number },
): Promise<number[]> {
  await lockWebhookFanOut(trx, dialect, true);
  let q = trx
    .selectFrom('webhook_deliveries')
    .select(['workspace_id', 'event_id', 'event', 'order_key', 'payload'])
    .where('subscription_id', '=', subscriptionId)
    .where('status', '!=', 'pending')
    .orderBy('id')
    .limit(opts.limit);
  if (opts.ids) q = q.where('id', 'in', opts.ids.length > 0 ? [...opts.ids] : [-1]);
  else q = q.where('status', '=', 'failed').where('created_at_ms', '>=', opts.sinceMs ?? 0);
  return queueReplays(trx, subscriptionId, await q.execute(), opts.nowMs);
}

/** What a replay queues again: one delivery's (or event's) identity and body. */
interface ReplayRow {
  workspace_id: number;
  event_id: string;
  event: string;
  order_key: string;
  payload: unknown;
}

/**
 * Queues these again for the subscription as pending deliveries (the replay queue), each after
 * the pending rows of its person, held while the subscription is paused or off. Returns the ids.
 */
export async function queueReplays(
  trx: Tx,
  subscriptionId: number,
  rows: readonly ReplayRow[],
  nowMs: number,
): Promise<number[]> {
  if (rows.length === 0) return [];
  const waiting = await pendingKeys(
    trx,
    rows.map((r) => ({ subscriptionId, orderKey: r.order_key })),
  );
  const sub = await trx
    .selectFrom('webhook_subscriptions')
    .select(['enabled', 'paused_at'])
    .where('workspace_id', '=', rows[0]!.workspace_id)
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
  const held = !sub || Number(sub.enabled) !== 1 || sub.paused_at !== null;
  const blockedFor = (key: string): number => {
    const k = `${subscriptionId}\u0000${key}`;
    const blocked = waiting.has(k) ? 1 : held ? HELD : 0;
    waiting.add(k);
    return blocked;
  };
  const inserted = await trx
    .insertInto('webhook_deliveries')
    .values(
      rows.map((r) => ({
        workspace_id: r.workspace_id,
        subscription_id: subscriptionId,
        event_id: r.event_id,
        event: r.event,
        order_key: r.order_key,
        payload: toJson(parseJson(r.payload)),
        status: 'pending',
        attempts: 0,
        run_at_ms: nowMs,
        created_at_ms: nowMs,
        blocked: blockedFor(r.order_key),
      })),
    )
    .returning('id')
    .execute();
  return inserted.map((r) => Number(r.id));
}

/**
 * The backlog (`/metrics`): queued deliveries due by `nowMs` (waiting behind another of the same
 * person included), events past the subscriptions' cursors (store/webhooks/cursor-prune.ts), and
 * when the oldest of either was queued. Reads pending rows only (partial index
 * `webhook_deliveries_pending`).
 */
export async function webhookBacklog(
  db: Tx,
  dialect: Store['dialect'],
  nowMs: number,
): Promise<{ due: number; queuedEvents: number; oldestMs: number | null }> {
  const d = await sql<{ n: number | string; oldest: number | string | null }>`
    select count(*) as n, min(created_at_ms) as oldest from webhook_deliveries
    where status = 'pending' and blocked in (0, 1, ${HELD}) and run_at_ms <= ${nowMs}`.execute(db);
  const e = await cursorBacklog(db, dialect);
  const num = (v: number | string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  const oldest = [num(d.rows[0]?.oldest), e.oldestMs].filter((v): v is number => v !== null);
  return {
    due: Number(d.rows[0]?.n ?? 0),
    queuedEvents: e.events,
    oldestMs: oldest.length > 0 ? Math.min(...oldest) : null,
  };
}

/**
 * Forgets finished deliveries and attempts older than `beforeMs`, at most `limit` of each per call
 * (a bounded statement; the worker calls it now and then). Returns how many rows went.
 */
export async function pruneWebhookHistory(db: Tx, beforeMs: number, limit: number): Promise<number> {
  const a = await sql`delete from webhook_attempts where id in (
      select id from webhook_attempts where attempted_at_ms < ${beforeMs} order by id limit ${limit})`.execute(
    db,
  );
  const d = await sql`delete from webhook_deliveries where id in (
      select id from webhook_deliveries where status != 'pending' and finished_at_ms < ${beforeMs}
      order by id limit ${limit})`.execute(db);
  return Number(a.numAffectedRows ?? 0) + Number(d.numAffectedRows ?? 0);
}
