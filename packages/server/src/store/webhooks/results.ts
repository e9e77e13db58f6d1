import { sql } from 'kysely';
import type { Store, Tx } from '../store.js';
import type { AttemptRecord, ClaimedWebhook } from './deliveries.js';
import { lockWebhookFanOut } from './events.js';
import { setWebhookMessageOutcome } from '../messaging/messages.js';

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
  if (attempted.length > 0)
    await trx
      .insertInto('webhook_attempts')
      .values(
        attempted.map(({ job, attempt: a }) => ({
          workspace_id: job.workspaceId,
          subscription_id: job.subscriptionId,
          delivery_id: job.id,
          event_id: job.eventId,
          attempted_at_ms: a.attemptedAtMs,
          status_code: a.statusCode,
          latency_ms: a.latencyMs,
          outcome: a.outcome,
          error: a.error,
          response_excerpt: a.responseExcerpt,
        })),
      )
      .execute();

  // Delivered rows, grouped by claim (one UPDATE per claim that holds them).
  const delivered = new Map<string, number[]>();
  for (const r of results)
    if (r.next.status === 'delivered') {
      const ids = delivered.get(r.job.claim) ?? [];
      ids.push(r.job.id);
      delivered.set(r.job.claim, ids);
    }
  for (const [claim, ids] of delivered)
    await trx
      .updateTable('webhook_deliveries')
      .set({
        status: 'delivered',
        last_error: null,
        claimed_by: null,
        claimed_until_ms: null,
        finished_at_ms: rule.nowMs,
      })
      .where('id', 'in', ids)
      .where('claimed_by', '=', claim)
      .where('status', '=', 'pending')
      .execute();
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
      messageId,
      r.next.status === 'delivered' ? 'sent' : 'failed',
      Math.floor(rule.nowMs / 1000),
      r.next.status === 'failed' ? r.next.error : null,
    );
  }

  // Failure runs, per subscription, in the order of the batch (campaign endpoints never pause).
  const bySub = new Map<
    number,
    { success: boolean; failuresAfter: number; gone: boolean; lastError: string }
  >();
  for (const r of results) {
    if (!r.attempt || r.job.request) continue;
    const s = bySub.get(r.job.subscriptionId) ?? {
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
      await trx
        .updateTable('webhook_subscriptions')
        .set({ failure_run: 0 })
        .where('id', '=', id)
        .where('failure_run', '>', 0)
        .execute();
      continue;
    }
    const row = await trx
      .updateTable('webhook_subscriptions')
      .set({ failure_run: s.success ? s.failuresAfter : sql<number>`failure_run + ${s.failuresAfter}` })
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
      .where('id', '=', id)
      .execute();
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
  finished: ReadonlyArray<Pick<ClaimedWebhook, 'subscriptionId' | 'orderKey'>>,
) {
  const seen = new Set<string>();
  const pairs: Array<{ sub: number; key: string }> = [];
  for (const f of finished) {
    const k = `${f.subscriptionId}\u0000${f.orderKey}`;
    if (seen.has(k)) continue;
    seen.add(k);
    pairs.push({ sub: f.subscriptionId, key: f.orderKey });
  }
  for (let i = 0; i < pairs.length; i += 200) {
    const chunk = pairs.slice(i, i + 200);
    const match = sql.join(
      chunk.map((p) => sql`(d.subscription_id = ${p.sub} and d.order_key = ${p.key})`),
      sql` or `,
    );
    await sql`update webhook_deliveries set blocked = 0 where id in (
        select min(d.id) from webhook_deliveries d
        where d.status = 'pending' and (${match})
        group by d.subscription_id, d.order_key)
      and blocked = 1`.execute(trx);
  }
}
