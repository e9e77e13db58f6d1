import type { DialectName } from '../dialect.js';
import { queryRows } from '../sql.js';
import { parseJson, type Tx } from '../store.js';
import type { DeliveryView } from './deliveries.js';
import { inList, padToPowerOfTwo, perDialect, wantsParams, wantsSql } from './webhook-sql.js';

/**
 * What the App API shows of cursor deliveries (`GET /v1/webhooks/:id/deliveries`): pending ones
 * are the events past the subscription's cursor that it wants; delivered ones come from the
 * attempt rows of the requests that carried them (their bodies while the events are kept).
 */

/** A delivery by cursor, as `listWebhookDeliveries` shows queued ones. */
export type CursorDeliveryView = DeliveryView;

const PENDING = perDialect(
  (d) => `select id, event_id, kind, payload, created_at_ms from webhook_events
  where workspace_id = ? and ${d === 'postgres' ? '(pos is null or pos > ?)' : 'id > ?'} and id < ?
    and ${wantsSql(d)}
  order by id desc limit ?`,
);

/** The oldest events past the cursor the subscription wants: the request being retried. */
const HEAD = perDialect(
  (d) => `select id from webhook_events
  where workspace_id = ? and ${d === 'postgres' ? 'pos' : 'id'} > ? and ${wantsSql(d)}
  order by ${d === 'postgres' ? 'pos' : 'id'} limit ?`,
);

/** With batch 1, requests a cursor sends at once (messaging/webhooks/webhook-worker.ts `perSubscription`). */
const WINDOW = 8;

export interface CursorState {
  workspaceId: number;
  cursorPos: number;
  events: string[];
  eventNames: string[] | null;
  segmentIds: number[] | null;
  batch: number;
  retryAttempts: number;
  retryAtMs: number;
  retryError: string | null;
}

/** Events past the cursor the subscription wants, newest first, below `beforeId`. */
export async function pendingCursorEvents(
  db: Tx,
  s: CursorState,
  opts: { limit: number; beforeId?: number | undefined; nowMs: number },
): Promise<CursorDeliveryView[]> {
  const wants = wantsParams(s);
  const rows = await queryRows<Record<string, unknown>>(db, PENDING, [
    s.workspaceId,
    s.cursorPos,
    opts.beforeId ?? Number.MAX_SAFE_INTEGER,
    ...wants,
    opts.limit,
  ]);
  // The head (the oldest, up to a round's worth) was in the request being retried.
  const head = new Set<number>();
  if (s.retryAttempts > 0 && rows.length > 0)
    for (const r of await queryRows<{ id: number | string }>(db, HEAD, [
      s.workspaceId,
      s.cursorPos,
      ...wants,
      s.batch > 1 ? s.batch : WINDOW,
    ]))
      head.add(Number(r.id));
  return rows.map((r) => {
    const atHead = s.retryAttempts > 0 && head.has(Number(r.id));
    return {
      id: Number(r.id),
      eventId: String(r.event_id),
      event: String(r.kind),
      status: 'pending',
      attempts: atHead ? s.retryAttempts : 0,
      runAtMs: Math.max(s.retryAtMs, opts.nowMs),
      lastError: atHead ? s.retryError : null,
      createdAtMs: Number(r.created_at_ms),
      finishedAtMs: null,
      payload: parseJson(r.payload),
    };
  });
}

const PAYLOADS = inList('select id, payload from webhook_events where workspace_id = ? and id in ({in})');

/**
 * Events delivered by the subscription's cursor requests, newest first, below `beforeId` (from
 * `webhook_attempts.events`; a body whose event was pruned shows as null). An event sent twice
 * (a retried request) shows once.
 */
export async function deliveredCursorEvents(
  db: Tx,
  sub: { id: number; workspaceId: number },
  opts: { limit: number; beforeId?: number | undefined },
): Promise<CursorDeliveryView[]> {
  const before = opts.beforeId ?? Number.MAX_SAFE_INTEGER;
  const attempts = await db
    .selectFrom('webhook_attempts')
    .select(['id', 'attempted_at_ms', 'events'])
    .where('subscription_id', '=', sub.id)
    .where('workspace_id', '=', sub.workspaceId)
    .where('outcome', '=', 'delivered')
    .where('events', 'is not', null)
    .where('delivery_id', '<', before)
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  const byId = new Map<number, CursorDeliveryView>();
  for (const a of attempts)
    for (const [id, eventId, kind, createdAtMs] of parseJson<Array<[number, string, string, number]>>(
      a.events,
    )) {
      if (id >= before || byId.has(id)) continue;
      byId.set(id, {
        id,
        eventId,
        event: kind,
        status: 'delivered',
        attempts: 1,
        runAtMs: Number(a.attempted_at_ms),
        lastError: null,
        createdAtMs,
        finishedAtMs: Number(a.attempted_at_ms),
        payload: null,
      });
    }
  const out = [...byId.values()].sort((a, b) => b.id - a.id).slice(0, opts.limit);
  if (out.length > 0) {
    const ids = padToPowerOfTwo(out.map((d) => d.id));
    const rows = await queryRows<{ id: number | string; payload: unknown }>(db, PAYLOADS.get(ids.length), [
      sub.workspaceId,
      ...ids,
    ]);
    const payloads = new Map(rows.map((r) => [Number(r.id), parseJson(r.payload)]));
    for (const d of out) d.payload = payloads.get(d.id) ?? null;
  }
  return out;
}

/** One event of the workspace, if it is still kept. */
export async function findCursorEvent(
  db: Tx,
  dialect: DialectName,
  workspaceId: number,
  id: number,
): Promise<
  | { id: number; pos: number | null; eventId: string; kind: string; orderKey: string; payload: unknown }
  | undefined
> {
  const r = await db
    .selectFrom('webhook_events')
    .select(['id', 'pos', 'event_id', 'kind', 'order_key', 'payload'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    id: Number(r.id),
    pos: dialect === 'postgres' ? (r.pos === null ? null : Number(r.pos)) : Number(r.id),
    eventId: r.event_id,
    kind: r.kind,
    orderKey: r.order_key,
    payload: parseJson(r.payload),
  };
}
