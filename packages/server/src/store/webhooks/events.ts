import { sql } from 'kysely';
import {
  executeLater,
  placeholders,
  queryRows,
  statement,
  StatementsByCount,
  type Statement,
} from '../sql.js';
import { toJson, type Store, type Tx } from '../store.js';
import type { ClaimedWebhook } from './deliveries.js';
import { inList, multiRowInsert, padToPowerOfTwo, powerOfTwoChunks } from './webhook-sql.js';

const DELIVERY_COLUMNS = [
  'workspace_id',
  'subscription_id',
  'event_id',
  'event',
  'order_key',
  'payload',
  'status',
  'attempts',
  'run_at_ms',
  'created_at_ms',
  'blocked',
  'claimed_by',
  'claimed_until_ms',
];
const INSERT_DELIVERIES = multiRowInsert('webhook_deliveries', DELIVERY_COLUMNS);
const INSERT_DELIVERIES_RETURNING = multiRowInsert(
  'webhook_deliveries',
  DELIVERY_COLUMNS,
  'id, subscription_id, event_id',
);
const DELETE_EVENTS = inList('delete from webhook_events where id in ({in})');
const PENDING_KEYS = new Map<string, Statement>();

/** `pendingKeys`' read for `subs` subscriptions and `keys` keys (both powers of two). */
function pendingKeysStatement(subs: number, keys: number): Statement {
  const k = `${subs}:${keys}`;
  let s = PENDING_KEYS.get(k);
  if (!s) {
    s = statement(
      `select distinct subscription_id, order_key from webhook_deliveries
       where subscription_id in (${placeholders(subs)}) and order_key in (${placeholders(keys)})
         and status = 'pending'`,
    );
    if (PENDING_KEYS.size < 64) PENDING_KEYS.set(k, s);
  }
  return s;
}

/** One change some subscription wants, written in the transaction of the change (migration 105). */
export interface WebhookEventEntry {
  workspaceId: number;
  eventId: string;
  kind: string;
  orderKey: string;
  eventName: string | null;
  segmentId: number | null;
  /** The body one delivery of it sends. */
  payload: unknown;
  nowMs: number;
}

const INSERT = new StatementsByCount(
  (n) =>
    `insert into webhook_events (workspace_id, event_id, kind, order_key, event_name, segment_id, payload, created_at_ms)
     values ${Array.from({ length: n }, () => `(${placeholders(8)})`).join(', ')}`,
);
const ROWS_PER_INSERT = 400;

/**
 * Queues changes inside the caller's transaction: one row per change, whatever the number of
 * subscriptions (the worker fans them out), so they exist if and only if the change commits.
 */
export async function enqueueWebhookEvents(trx: Tx, entries: readonly WebhookEventEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
    const chunk = entries.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (const e of chunk)
      params.push(
        e.workspaceId,
        e.eventId,
        e.kind,
        e.orderKey,
        e.eventName,
        e.segmentId,
        toJson(e.payload),
        e.nowMs,
      );
    await executeLater(trx, INSERT.get(chunk.length), params);
  }
}

export interface QueuedWebhookEvent {
  id: number;
  workspaceId: number;
  eventId: string;
  kind: string;
  orderKey: string;
  eventName: string | null;
  segmentId: number | null;
  /** JSON text. */
  payload: string;
}

/** A subscription as the fan-out needs it. */
export interface FanOutSubscription {
  id: number;
  workspaceId: number;
  events: string[];
  eventNames: string[] | null;
  segmentIds: number[] | null;
}

/** One delivery the fan-out writes. */
export interface FanOutDelivery {
  event: QueuedWebhookEvent;
  subscriptionId: number;
}

/** Any lock number, the same in every process: PostgreSQL serialises fan-outs and unblocks with it. */
const FAN_OUT_LOCK = 7_310_105;

/**
 * PostgreSQL: one fan-out at a time (`exclusive`), and no fan-out while a transaction that unblocks
 * deliveries runs (`shared`): the fan-out decides whether a new delivery waits behind a pending one
 * from what it reads, and must not miss a concurrent finish. SQLite: one writer already.
 */
export async function lockWebhookFanOut(
  trx: Tx,
  dialect: Store['dialect'],
  exclusive: boolean,
): Promise<void> {
  if (dialect !== 'postgres') return;
  if (exclusive) await sql`select pg_advisory_xact_lock(${FAN_OUT_LOCK})`.execute(trx);
  else await sql`select pg_advisory_xact_lock_shared(${FAN_OUT_LOCK})`.execute(trx);
}

const jsonText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** How the fan-out writes deliveries already claimed (`claim` of deliveries.ts, without its round trip). */
export interface FanOutClaim {
  claim: string;
  claimedUntilMs: number;
  /** Whether to claim this new delivery (its subscription, and that subscription's `batch`). */
  take: (subscriptionId: number, batch: number) => boolean;
}

/**
 * Fans queued changes out to subscriptions, in one transaction: reads up to `limit` of them oldest
 * first, asks `match` which deliveries they make, writes those (each blocked while an older pending
 * delivery of the same subscription and key exists, or an earlier one in this batch), and deletes
 * the changes. Returns how many changes were taken (0: none queued).
 *
 * With `claim`, a new delivery that is claimable at once (nothing of its person before it, its
 * subscription running) and that `claim.take` accepts is written already claimed under the lease,
 * with its first attempt counted, and returned in `claimed`: the worker sends it without claiming
 * it again (one row write per delivery instead of two). Order per person holds as for any claim:
 * only a delivery with no older pending one of its subscription and person is claimable.
 */
export async function fanOutWebhookEvents(
  store: Store,
  opts: {
    limit: number;
    nowMs: number;
    match: (
      events: readonly QueuedWebhookEvent[],
      subscriptions: readonly FanOutSubscription[],
    ) => FanOutDelivery[];
    claim?: FanOutClaim;
  },
): Promise<{ events: number; deliveries: number; claimed: ClaimedWebhook[] }> {
  return store.transaction(async (trx) => {
    await lockWebhookFanOut(trx, store.dialect, true);
    const rows = await sql<{
      id: number | string;
      workspace_id: number | string;
      event_id: string;
      kind: string;
      order_key: string;
      event_name: string | null;
      segment_id: number | string | null;
      payload: unknown;
    }>`select id, workspace_id, event_id, kind, order_key, event_name, segment_id, payload
       from webhook_events order by id limit ${opts.limit}`.execute(trx);
    const claimed: ClaimedWebhook[] = [];
    if (rows.rows.length === 0) return { events: 0, deliveries: 0, claimed };
    const events: QueuedWebhookEvent[] = rows.rows.map((r) => ({
      id: Number(r.id),
      workspaceId: Number(r.workspace_id),
      eventId: r.event_id,
      kind: r.kind,
      orderKey: r.order_key,
      eventName: r.event_name,
      segmentId: r.segment_id === null ? null : Number(r.segment_id),
      payload: jsonText(r.payload),
    }));
    const workspaces = [...new Set(events.map((e) => e.workspaceId))];
    const subs = await trx
      .selectFrom('webhook_subscriptions')
      .select(['id', 'workspace_id', 'events', 'event_names', 'segment_ids', 'paused_at', 'batch'])
      .where('workspace_id', 'in', workspaces)
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    const parse = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
    const deliveries = opts.match(
      events,
      subs.map((s) => ({
        id: Number(s.id),
        workspaceId: Number(s.workspace_id),
        events: parse<string[]>(s.events),
        eventNames: s.event_names === null ? null : parse<string[] | null>(s.event_names),
        segmentIds: s.segment_ids === null ? null : parse<number[] | null>(s.segment_ids),
      })),
    );
    // A paused subscription's new deliveries are held (store/webhooks/deliveries.ts `HELD`).
    const paused = new Set(subs.filter((s) => s.paused_at !== null).map((s) => Number(s.id)));
    const batchOf = new Map(subs.map((s) => [Number(s.id), Number(s.batch)]));
    const claim = opts.claim;
    if (deliveries.length > 0) {
      const waiting = await pendingKeys(
        trx,
        deliveries.map((d) => ({ subscriptionId: d.subscriptionId, orderKey: d.event.orderKey })),
      );
      const values = deliveries.map((d) => {
        const key = `${d.subscriptionId}\u0000${d.event.orderKey}`;
        const blocked = waiting.has(key) ? 1 : paused.has(d.subscriptionId) ? 2 : 0;
        waiting.add(key);
        const claimNow =
          blocked === 0 &&
          claim !== undefined &&
          claim.take(d.subscriptionId, batchOf.get(d.subscriptionId) ?? 1);
        return {
          workspace_id: d.event.workspaceId,
          subscription_id: d.subscriptionId,
          event_id: d.event.eventId,
          event: d.event.kind,
          order_key: d.event.orderKey,
          payload: d.event.payload,
          status: 'pending',
          attempts: claimNow ? 1 : 0,
          run_at_ms: opts.nowMs,
          created_at_ms: opts.nowMs,
          blocked,
          claimed_by: claimNow ? claim.claim : null,
          claimed_until_ms: claimNow ? claim.claimedUntilMs : null,
        };
      });
      for (const chunk of powerOfTwoChunks(values)) {
        const params: unknown[] = [];
        for (const v of chunk)
          params.push(
            v.workspace_id,
            v.subscription_id,
            v.event_id,
            v.event,
            v.order_key,
            v.payload,
            v.status,
            v.attempts,
            v.run_at_ms,
            v.created_at_ms,
            v.blocked,
            v.claimed_by,
            v.claimed_until_ms,
          );
        if (!chunk.some((v) => v.claimed_by !== null)) {
          await executeLater(trx, INSERT_DELIVERIES.get(chunk.length), params);
          continue;
        }
        const ids = await queryRows<{
          id: number | string;
          subscription_id: number | string;
          event_id: string;
        }>(trx, INSERT_DELIVERIES_RETURNING.get(chunk.length), params);
        // RETURNING's order is not promised: rows are matched by (subscription, event id), unique here.
        const idOf = new Map(
          ids.map((r) => [`${Number(r.subscription_id)}\u0000${r.event_id}`, Number(r.id)]),
        );
        for (const v of chunk)
          if (v.claimed_by !== null)
            claimed.push({
              id: idOf.get(`${v.subscription_id}\u0000${v.event_id}`)!,
              workspaceId: v.workspace_id,
              subscriptionId: v.subscription_id,
              eventId: v.event_id,
              event: v.event,
              orderKey: v.order_key,
              payload: v.payload,
              request: null,
              attempts: 1,
              createdAtMs: v.created_at_ms,
              claim: claim!.claim,
              claimedUntilMs: claim!.claimedUntilMs,
            });
      }
    }
    // By id, not by range: on PostgreSQL a change with a smaller id may commit after this read.
    for (const chunk of powerOfTwoChunks(events.map((e) => e.id)))
      await executeLater(trx, DELETE_EVENTS.get(chunk.length), chunk);
    return { events: events.length, deliveries: deliveries.length, claimed };
  });
}

/**
 * Which of these (subscription, key) pairs have a pending delivery, as `"<sub>\0<key>"`: a new
 * delivery of such a pair waits behind it.
 */
export async function pendingKeys(
  trx: Tx,
  pairs: ReadonlyArray<{ subscriptionId: number; orderKey: string }>,
): Promise<Set<string>> {
  const subs = [...new Set(pairs.map((p) => p.subscriptionId))];
  const keys = [...new Set(pairs.map((p) => p.orderKey))];
  const wanted = new Set(pairs.map((p) => `${p.subscriptionId}\u0000${p.orderKey}`));
  const found = new Set<string>();
  // One read per 512 keys, every subscription at once (the order index leads with both columns).
  const subList = padToPowerOfTwo(subs);
  for (let i = 0; i < keys.length; i += 512) {
    const keyList = padToPowerOfTwo(keys.slice(i, i + 512));
    const rows = await queryRows<{ subscription_id: number | string; order_key: string }>(
      trx,
      pendingKeysStatement(subList.length, keyList.length),
      [...subList, ...keyList],
    );
    for (const r of rows) {
      const k = `${Number(r.subscription_id)}\u0000${r.order_key}`;
      if (wanted.has(k)) found.add(k);
    }
  }
  return found;
}
