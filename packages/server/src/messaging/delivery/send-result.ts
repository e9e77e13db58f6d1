import { unixSeconds } from '../../lib/clock.js';
import { recordActivities, type ActivityType } from '../../store/activities/activities.js';
import type { Tx } from '../../store/store.js';
import {
  deleteUnregisteredDevice,
  markDeviceBounced,
  markDeviceSent,
  readDevice,
} from '../../store/messaging/device-status.js';
import {
  findMessageForUpdate,
  setMessageMetric,
  type MessageMetric,
} from '../../store/messaging/messages.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { SendOutcome } from '../providers/provider-types.js';

/** The end of one delivery: a provider's final answer, or why it never reached a provider. */
export type FinalOutcome =
  | Exclude<SendOutcome, { kind: 'retry' }>
  /** Retries used up on a transient error. */
  | { kind: 'exhausted'; reason: string }
  /** Not sent: the device is suppressed, gone, or now someone else's. */
  | { kind: 'undeliverable'; reason: string };

export interface DeliveryTarget {
  workspaceId: number;
  deliveryId: string;
  token: string;
  platform: string;
  personPid: number | null;
}

const EFFECT: Record<FinalOutcome['kind'], { metric: MessageMetric; activity: ActivityType }> = {
  sent: { metric: 'sent', activity: 'sent_push' },
  bounced: { metric: 'bounced', activity: 'bounced_push' },
  unregistered: { metric: 'bounced', activity: 'bounced_push' },
  failed: { metric: 'failed', activity: 'failed_push' },
  exhausted: { metric: 'failed', activity: 'failed_push' },
  undeliverable: { metric: 'undeliverable', activity: 'undeliverable_push' },
};

/**
 * Records a delivery's outcome in the caller's transaction (the one that also marks the outbox
 * row done): the device's `_last_status` (sent / bounced / suppressed, or deleted when
 * unregistered), the message's metrics and failure message, and the `<metric>_push` activity.
 */
export async function applySendOutcome(
  deps: MessagingDeps,
  trx: Tx,
  target: DeliveryTarget,
  outcome: FinalOutcome,
): Promise<void> {
  const now = unixSeconds(deps.clock);
  // Serialise with identify/device writes to this token and with other results for it.
  await deps.store.lockKeys(trx, [`device:${target.workspaceId}:${target.token}`]);
  const message = await findMessageForUpdate(deps.store, trx, target.deliveryId, target.workspaceId);
  const pid = target.personPid;
  let deviceChanged = false;
  if (pid !== null) {
    const ref = { workspaceId: target.workspaceId, token: target.token, personPid: pid };
    const before = await readDevice(trx, target.workspaceId, target.token);
    const owned = before?.personPid === pid;
    if (owned && outcome.kind === 'sent') {
      deviceChanged = (await markDeviceSent(trx, ref, now)) !== before.lastStatus;
    } else if (owned && outcome.kind === 'bounced') {
      deviceChanged = (await markDeviceBounced(trx, ref, now)) !== before.lastStatus;
    } else if (owned && outcome.kind === 'unregistered') {
      deviceChanged = await deleteUnregisteredDevice(
        trx,
        { ...ref, platform: before.platform, identifiers: message?.identifiers ?? null },
        outcome.reason,
        now,
      );
    }
  }
  const effect = EFFECT[outcome.kind];
  const reason = outcome.kind === 'sent' ? undefined : outcome.reason;
  const isNew = message ? await setMessageMetric(trx, message, effect.metric, now, reason) : true;
  if (isNew) {
    await recordActivities(trx, [
      {
        workspaceId: target.workspaceId,
        personPid: pid,
        identifiers: message?.identifiers ?? null,
        type: effect.activity,
        data: {
          delivery_id: target.deliveryId,
          delivered: null,
          opened: null,
          recipient: target.token,
          ...(reason !== undefined ? { reason } : {}),
        },
        source: 'system',
        timestamp: now,
        deliveryId: target.deliveryId,
        deliveryType: target.platform,
      },
    ]);
  }
  if (deviceChanged && pid !== null && deps.onDeviceChanged) {
    await deps.onDeviceChanged(trx, target.workspaceId, pid);
  }
}
