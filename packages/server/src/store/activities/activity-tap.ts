import type { Store, TransactionOptions, Tx } from '../store.js';
import type { ActivityInput } from './activities.js';

/**
 * Runs inside the transaction that records activities, right after them: what else must commit
 * with every recorded change (outgoing webhook deliveries, docs/webhooks.md "How deliveries are
 * made"). History is where every change Roster makes to a person is written, whichever path made
 * it, so a step here sees all of them.
 */
export type ActivityTap = (trx: Tx, activities: readonly ActivityInput[]) => Promise<void>;

const taps = new WeakMap<Tx, ActivityTap>();

/** The tap bound to this transaction handle, if any. */
export function activityTapOf(trx: Tx): ActivityTap | undefined {
  return taps.get(trx);
}

/**
 * Binds `tap` to every transaction `store` opens from now on (the store's `transaction` is wrapped
 * in place, so every service holding this store gets it). Called once, by the composition root.
 */
export function installActivityTap(store: Store, tap: ActivityTap): void {
  const inner = store.transaction.bind(store);
  store.transaction = <T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T> =>
    inner((trx) => {
      taps.set(trx, tap);
      return fn(trx);
    }, options);
}
