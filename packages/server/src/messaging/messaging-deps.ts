import type { Clock } from '../lib/clock.js';
import type { Store, Tx } from '../store/store.js';

/**
 * Called inside the transaction that changed a device's `_last_status` or deleted it, so the
 * segments engine can re-evaluate the person before the change commits.
 */
export type DeviceChangedHook = (trx: Tx, workspaceId: number, personPid: number) => Promise<void>;

export interface MessagingDeps {
  store: Store;
  clock: Clock;
  onDeviceChanged?: DeviceChangedHook;
}
