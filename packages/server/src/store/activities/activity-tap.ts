import type { Store, TransactionOptions, Tx } from '../store.js';
import type { ObjectActivityInput } from '../objects/object-activities.js';
import type { ActivityInput } from './activities.js';

/**
 * Runs inside the transaction that records activities, right after them: what else must commit
 * with every recorded change (outgoing webhook deliveries, docs/webhooks.md "How deliveries are
 * made"). History is where every change Roster makes to a person is written, whichever path made
 * it, so a step here sees all of them.
 */
export type ActivityTap = (trx: Tx, activities: readonly ActivityInput[]) => Promise<void>;

/** The same for an object's history (store/objects/object-activities.ts). */
export type ObjectActivityTap = (trx: Tx, activities: readonly ObjectActivityInput[]) => Promise<void>;

interface Taps {
  people: ActivityTap;
  objects?: ObjectActivityTap | undefined;
}

const taps = new WeakMap<Tx, Taps>();

/** The tap bound to this transaction handle, if any. */
export function activityTapOf(trx: Tx): ActivityTap | undefined {
  return taps.get(trx)?.people;
}

export function objectActivityTapOf(trx: Tx): ObjectActivityTap | undefined {
  return taps.get(trx)?.objects;
}

/**
 * Binds `tap` to every transaction `store` opens from now on (the store's `transaction` is wrapped
 * in place, so every service holding this store gets it). Called once, by the composition root.
 */
export function installActivityTap(store: Store, tap: ActivityTap, objectTap?: ObjectActivityTap): void {
  const inner = store.transaction.bind(store);
  const bound: Taps = { people: tap, objects: objectTap };
  store.transaction = <T>(fn: (trx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T> =>
    inner((trx) => {
      taps.set(trx, bound);
      return fn(trx);
    }, options);
}
