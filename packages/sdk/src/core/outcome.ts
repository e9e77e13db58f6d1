import { backoff } from './backoff.js';
import { classify } from './classify.js';
import type { DropReason } from './events.js';
import type { PostResult } from './http.js';
import { emptyDelivery, type PersistedState, type Task } from './state.js';

export interface DropGroup {
  tasks: Task[];
  reason: DropReason;
  status?: number;
  message?: string;
}

export interface Outcome {
  sent: Task[];
  status?: number;
  dropped: DropGroup[];
  /** Set when a 401 paused delivery. */
  pausedUntil?: number;
  /** Stop this run: the head must wait (retry/pause). */
  stop: boolean;
}

export interface OutcomeContext {
  now: number;
  random: () => number;
  pauseMs: number;
}

/**
 * Applies the answer to one batch to the persisted state (mutating it) and says what happened.
 * Only acknowledged or dropped ops leave the queue; a retry keeps them, with attempts and the next
 * attempt time persisted so a restart does not hammer a failing server.
 */
export function applyOutcome(
  state: PersistedState,
  batch: Task[],
  result: PostResult,
  ctx: OutcomeContext,
): Outcome {
  const verdict = classify(result.attempt, ctx.now);
  const status = 'status' in result.attempt ? result.attempt.status : undefined;
  const d = state.delivery;
  switch (verdict.kind) {
    case 'ok': {
      const failed = new Map(result.itemErrors.map((e) => [e.batch_index, e]));
      remove(state, batch);
      state.delivery = emptyDelivery();
      const dropped: DropGroup[] = [...failed].flatMap(([i, e]) => {
        const task = batch[i];
        if (!task) return [];
        const message = [e.reason, e.field, e.message].filter(Boolean).join(': ');
        return [{ tasks: [task], reason: 'partial' as const, status: 207, ...(message ? { message } : {}) }];
      });
      return { sent: batch.filter((_, i) => !failed.has(i)), status, dropped, stop: false };
    }
    case 'retry':
      d.attempts += 1;
      d.retryAt = ctx.now + backoff(d.attempts, verdict.retryAfterMs, ctx.random);
      d.serverWait = verdict.retryAfterMs !== undefined;
      return { sent: [], status, dropped: [], stop: true };
    case 'pause':
      d.pausedUntil = ctx.now + ctx.pauseMs;
      return { sent: [], status, dropped: [], pausedUntil: d.pausedUntil, stop: true };
    case 'split':
    case 'drop':
      // A multi-op batch is halved: for 413 that is the remedy, for other 4xx it isolates the one
      // bad op instead of dropping its innocent neighbours.
      if (batch.length > 1) {
        d.maxItems = Math.ceil(batch.length / 2);
        return { sent: [], status, dropped: [], stop: false };
      }
      remove(state, batch);
      state.delivery = emptyDelivery();
      return {
        sent: [],
        status,
        dropped: [{ tasks: batch, reason: 'rejected', ...(status ? { status } : {}) }],
        stop: false,
      };
  }
}

/** Drops ops older than the expiry; returns them. Applied before every send, not just at launch. */
export function expireTasks(state: PersistedState, now: number, expirySeconds: number): Task[] {
  const cutoff = now - expirySeconds * 1000;
  const expired = state.queue.filter((t) => t.at < cutoff);
  if (expired.length > 0) state.queue = state.queue.filter((t) => t.at >= cutoff);
  return expired;
}

function remove(state: PersistedState, batch: Task[]): void {
  const ids = new Set(batch.map((t) => t.id));
  state.queue = state.queue.filter((t) => !ids.has(t.id));
}
