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
import { padToPowerOfTwo } from './webhook-sql.js';

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
 * subscriptions (each reads it by its cursor, store/webhooks/cursors.ts), so they exist if and
 * only if the change commits.
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

/** Any lock number, the same in every process: PostgreSQL serialises fan-outs and unblocks with it. */
const FAN_OUT_LOCK = 7_310_105;

/**
 * PostgreSQL: one placing of events (store/webhooks/cursors.ts) or replay at a time (`exclusive`),
 * and none while a transaction that unblocks queued deliveries runs (`shared`): a replay decides
 * whether its delivery waits behind a pending one from what it reads, and must not miss a
 * concurrent finish. SQLite: one writer already.
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
