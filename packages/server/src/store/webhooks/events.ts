import { sql } from 'kysely';
import { executeLater, placeholders, StatementsByCount } from '../sql.js';
import { toJson, type Store, type Tx } from '../store.js';

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

/**
 * Fans queued changes out to subscriptions, in one transaction: reads up to `limit` of them oldest
 * first, asks `match` which deliveries they make, writes those (each blocked while an older pending
 * delivery of the same subscription and key exists, or an earlier one in this batch), and deletes
 * the changes. Returns how many changes were taken (0: none queued).
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
  },
): Promise<{ events: number; deliveries: number }> {
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
    if (rows.rows.length === 0) return { events: 0, deliveries: 0 };
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
      .select(['id', 'workspace_id', 'events', 'event_names', 'segment_ids'])
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
    if (deliveries.length > 0) {
      const waiting = await pendingKeys(
        trx,
        deliveries.map((d) => ({ subscriptionId: d.subscriptionId, orderKey: d.event.orderKey })),
      );
      const values = deliveries.map((d) => {
        const key = `${d.subscriptionId}\u0000${d.event.orderKey}`;
        const blocked = waiting.has(key) ? 1 : 0;
        waiting.add(key);
        return {
          workspace_id: d.event.workspaceId,
          subscription_id: d.subscriptionId,
          event_id: d.event.eventId,
          event: d.event.kind,
          order_key: d.event.orderKey,
          payload: d.event.payload,
          status: 'pending',
          attempts: 0,
          run_at_ms: opts.nowMs,
          created_at_ms: opts.nowMs,
          blocked,
        };
      });
      for (let i = 0; i < values.length; i += 400)
        await trx
          .insertInto('webhook_deliveries')
          .values(values.slice(i, i + 400))
          .execute();
    }
    // By id, not by range: on PostgreSQL a change with a smaller id may commit after this read.
    await trx
      .deleteFrom('webhook_events')
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .execute();
    return { events: events.length, deliveries: deliveries.length };
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
  // One read per 500 keys, every subscription at once (the order index leads with both columns).
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await trx
      .selectFrom('webhook_deliveries')
      .select(['subscription_id', 'order_key'])
      .distinct()
      .where('subscription_id', 'in', subs)
      .where('order_key', 'in', keys.slice(i, i + 500))
      .where('status', '=', 'pending')
      .execute();
    for (const r of rows) {
      const k = `${Number(r.subscription_id)}\u0000${r.order_key}`;
      if (wanted.has(k)) found.add(k);
    }
  }
  return found;
}
