import { sql } from 'kysely';
import type { Store, Tx } from '../store.js';
import { holdSubscriptionDeliveries, type AttemptRecord, type ClaimedWebhook } from './deliveries.js';
import { lockWebhookFanOut } from './events.js';
import { setWebhookMessageOutcome } from '../messaging/messages.js';
import { executeLater, statement, StatementsByCount } from '../sql.js';
import { ATTEMPT_COLUMNS, inList, multiRowInsert, padToPowerOfTwo, powerOfTwoChunks } from './webhook-sql.js';

const INSERT_ATTEMPTS = multiRowInsert('webhook_attempts', ATTEMPT_COLUMNS);
const FINISH_DELIVERED = inList(
  `update webhook_deliveries set status = 'delivered', last_error = null, claimed_by = null,
     claimed_until_ms = null, finished_at_ms = ?
   where workspace_id = ? and claimed_by = ? and status = 'pending' and id in ({in})`,
);
const END_FAILURE_RUN = statement(
  'update webhook_subscriptions set failure_run = 0 where workspace_id = ? and id = ? and failure_run > 0',
);
/** Per (subscription, key) pair: the oldest pending delivery becomes claimable (if none is). */
const UNBLOCK_NEXT = new StatementsByCount(
  (n) => `update webhook_deliveries set blocked = 0 where (workspace_id, id) in (
      select d.workspace_id, min(d.id) from webhook_deliveries d
      where d.status = 'pending' and (${Array.from(
        { length: n },
        () => '(d.workspace_id = ? and d.subscription_id = ? and d.order_key = ?)',
      ).join(' or ')})
      group by d.workspace_id, d.subscription_id, d.order_key)
    and blocked = 1`,
);

/** What became of one claimed delivery after its attempt. */
export interface WebhookResult {
  job: ClaimedWebhook;
  /** null: no request was made (it expired before one): the row only finishes. */
  attempt: AttemptRecord | null;
  /** delivered / failed for good / due again at `runAtMs`. */
  next:
    | { status: 'delivered' }
    | { status: 'failed'; error: string }
    | { status: 'retry'; runAtMs: number; error: string };
  /** The receiver answered 410: pause the subscription now. */
  gone: boolean;
}

export interface PauseRule {
  /** A run of this many failed attempts pauses the subscription. */
  pauseAfter: number;
  nowMs: number;
  /** The reason recorded for a pause by a run of failures, given the last error. */
  runReason(lastError: string): string;
}

/**
 * Records a batch of attempts in the caller's transaction, in a few statements whatever its size:
 * the attempts in one INSERT, the deliveries' new states (each only while its claim still holds
 * it), and per subscription its failure run — ended by a success, lengthened by failures — and a
 * pause when the run reaches `pauseAfter` or a receiver answered 410. Returns the subscriptions
 * this batch paused.
 */
export async function recordWebhookResults(
  trx: Tx,
  dialect: Store['dialect'],
  results: readonly WebhookResult[],
  rule: PauseRule,
): Promise<number[]> {
  if (results.length === 0) return [];
  // Finishing unblocks the next delivery of the same person: no fan-out may decide meanwhile.
  await lockWebhookFanOut(trx, dialect, false);
  const attempted = results.flatMap((r) => (r.attempt ? [{ job: r.job, attempt: r.attempt }] : []));
  for (const chunk of powerOfTwoChunks(attempted)) {
    const params: unknown[] = [];
    for (const { job, attempt: a } of chunk)
      params.push(
        job.workspaceId,
        job.subscriptionId,
        job.id,
        job.eventId,
        a.attemptedAtMs,
        a.statusCode,
        a.latencyMs,
        a.outcome,
        a.error,
        a.responseExcerpt,
      );
    await executeLater(trx, INSERT_ATTEMPTS.get(chunk.length), params);
  }

  // Delivered rows, grouped by workspace and claim (one UPDATE per pair that holds them).
  const delivered = new Map<string, { ws: number; claim: string; ids: number[] }>();
  for (const r of results)
    if (r.next.status === 'delivered') {
      const k = `${r.job.workspaceId}\u0000${r.job.claim}`;
      const group = delivered.get(k) ?? { ws: r.job.workspaceId, claim: r.job.claim, ids: [] };
      group.ids.push(r.job.id);
      delivered.set(k, group);
    }
  for (const { ws, claim, ids } of delivered.values())
    for (const chunk of powerOfTwoChunks(ids)) {
      const list = padToPowerOfTwo(chunk);
      await executeLater(trx, FINISH_DELIVERED.get(list.length), [rule.nowMs, ws, claim, ...list]);
    }
  for (const r of results) {
    if (r.next.status === 'failed')
      await trx
        .updateTable('webhook_deliveries')
        .set({
          status: 'failed',
          last_error: r.next.error,
          claimed_by: null,
          claimed_until_ms: null,
          finished_at_ms: rule.nowMs,
        })
        .where('workspace_id', '=', r.job.workspaceId)
        .where('id', '=', r.job.id)
        .where('claimed_by', '=', r.job.claim)
        .where('status', '=', 'pending')
        .execute();
    else if (r.next.status === 'retry')
      await trx
        .updateTable('webhook_deliveries')
        .set({
          run_at_ms: r.next.runAtMs,
          last_error: r.next.error,
          claimed_by: null,
          claimed_until_ms: null,
        })
        .where('workspace_id', '=', r.job.workspaceId)
        .where('id', '=', r.job.id)
        .where('claimed_by', '=', r.job.claim)
        .where('status', '=', 'pending')
        .execute();
  }
  await unblockNext(
    trx,
    results.filter((r) => r.next.status !== 'retry').map((r) => r.job),
  );

  // A campaign webhook action's message reports the outcome (docs/webhooks.md "Campaign webhook actions").
  for (const r of results) {
    const messageId = r.job.request?.message_id;
    if (messageId === undefined || r.next.status === 'retry') continue;
    await setWebhookMessageOutcome(
      trx,
      r.job.workspaceId,
      messageId,
      r.next.status === 'delivered' ? 'sent' : 'failed',
      Math.floor(rule.nowMs / 1000),
      r.next.status === 'failed' ? r.next.error : null,
    );
  }

  // Failure runs, per subscription, in the order of the batch (campaign endpoints never pause).
  const bySub = new Map<
    number,
    { ws: number; success: boolean; failuresAfter: number; gone: boolean; lastError: string }
  >();
  for (const r of results) {
    if (!r.attempt || r.job.request) continue;
    const s = bySub.get(r.job.subscriptionId) ?? {
      ws: r.job.workspaceId,
      success: false,
      failuresAfter: 0,
      gone: false,
      lastError: '',
    };
    if (r.next.status === 'delivered') {
      s.success = true;
      s.failuresAfter = 0;
    } else {
      s.failuresAfter++;
      s.lastError = r.attempt.error ?? 'failed';
    }
    if (r.gone) s.gone = true;
    bySub.set(r.job.subscriptionId, s);
  }
  const paused: number[] = [];
  for (const [id, s] of bySub) {
    if (s.failuresAfter === 0 && !s.gone) {
      await executeLater(trx, END_FAILURE_RUN, [s.ws, id]);
      continue;
    }
    const row = await trx
      .updateTable('webhook_subscriptions')
      .set({ failure_run: s.success ? s.failuresAfter : sql<number>`failure_run + ${s.failuresAfter}` })
      .where('workspace_id', '=', s.ws)
      .where('id', '=', id)
      .returning(['failure_run', 'paused_at'])
      .executeTakeFirst();
    if (!row || row.paused_at !== null) continue;
    if (!s.gone && Number(row.failure_run) < rule.pauseAfter) continue;
    await trx
      .updateTable('webhook_subscriptions')
      .set({
        paused_reason: s.gone ? 'the receiver answered 410 Gone' : rule.runReason(s.lastError),
        paused_at: Math.floor(rule.nowMs / 1000),
      })
      .where('workspace_id', '=', s.ws)
      .where('id', '=', id)
      .execute();
    await holdSubscriptionDeliveries(trx, s.ws, id, true);
    paused.push(id);
  }
  return paused;
}

/**
 * For each finished delivery, the oldest pending delivery of the same subscription and key (the
 * next of that person) becomes claimable. Idempotent: a key with an unblocked pending row keeps it.
 */
async function unblockNext(
  trx: Tx,
  finished: ReadonlyArray<Pick<ClaimedWebhook, 'workspaceId' | 'subscriptionId' | 'orderKey'>>,
) {
  const seen = new Set<string>();
  const pairs: Array<{ ws: number; sub: number; key: string }> = [];
  for (const f of finished) {
    const k = `${f.subscriptionId}\u0000${f.orderKey}`;
    if (seen.has(k)) continue;
    seen.add(k);
    pairs.push({ ws: f.workspaceId, sub: f.subscriptionId, key: f.orderKey });
  }
  for (const chunk of powerOfTwoChunks(pairs)) {
    const params: unknown[] = [];
    for (const p of chunk) params.push(p.ws, p.sub, p.key);
    await executeLater(trx, UNBLOCK_NEXT.get(chunk.length), params);
  }
}
