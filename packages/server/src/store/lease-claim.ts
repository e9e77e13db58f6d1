import { sql, type RawBuilder } from 'kysely';
import type { Store, Tx } from './store.js';

/** What every leased queue's claim shares: the due condition, the lock, and the claim's SET. */
export interface LeaseClaimParts {
  /**
   * `<alias>` is pending, its `run_at_ms` has come and nobody holds a live lease on it (a row a dead
   * worker held is due again once its lease ran out).
   */
  due(alias: string): RawBuilder<boolean>;
  /** Ends the candidates' SELECT: `FOR UPDATE [OF alias] SKIP LOCKED` on PostgreSQL, nothing on SQLite. */
  lock(alias?: string): RawBuilder<unknown>;
}

export interface LeaseSet {
  claimed_by: string;
  claimed_until_ms: number;
  attempts: RawBuilder<number>;
}

/**
 * Claims queued rows under a lease — the one claim of the push outbox (store/messaging/outbox.ts)
 * and the webhook deliveries (store/webhooks/deliveries.ts). In one transaction: `candidates`
 * reads due rows oldest first (with `parts`), `pick` keeps those this worker has room for, and
 * `mark` sets them claimed by `claim` until `nowMs + leaseMs` with one attempt more, returning them.
 *
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` lets concurrent claimers pass over each other's rows instead
 * of waiting or claiming twice. SQLite: one writer at a time makes selection and claim atomic.
 */
export async function claimUnderLease<C extends { id: number | string }, R>(
  store: Store,
  opts: {
    claim: string;
    nowMs: number;
    leaseMs: number;
    candidates: (trx: Tx, parts: LeaseClaimParts) => Promise<C[]>;
    pick?: (candidate: C) => boolean;
    mark: (trx: Tx, ids: number[], set: LeaseSet) => Promise<R[]>;
  },
): Promise<{ rows: R[]; claimedUntilMs: number }> {
  const { nowMs } = opts;
  const claimedUntilMs = nowMs + opts.leaseMs;
  const postgres = store.dialect === 'postgres';
  const parts: LeaseClaimParts = {
    due: (alias) =>
      sql<boolean>`${sql.ref(`${alias}.status`)} = 'pending' and ${sql.ref(`${alias}.run_at_ms`)} <= ${nowMs}
        and (${sql.ref(`${alias}.claimed_until_ms`)} is null or ${sql.ref(`${alias}.claimed_until_ms`)} < ${nowMs})`,
    lock: (alias) =>
      !postgres
        ? sql``
        : alias
          ? sql` for update of ${sql.ref(alias)} skip locked`
          : sql` for update skip locked`,
  };
  const rows = await store.transaction(async (trx) => {
    const candidates = await opts.candidates(trx, parts);
    const ids: number[] = [];
    for (const c of candidates) if (!opts.pick || opts.pick(c)) ids.push(Number(c.id));
    if (ids.length === 0) return [];
    return opts.mark(trx, ids, {
      claimed_by: opts.claim,
      claimed_until_ms: claimedUntilMs,
      attempts: sql<number>`attempts + 1`,
    });
  });
  return { rows, claimedUntilMs };
}
