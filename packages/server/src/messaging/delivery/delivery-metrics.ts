import { recordActivities, type ActivityType } from '../../store/activities/activities.js';
import type { Tx } from '../../store/store.js';
import { findMessageForUpdate, setMessageMetric } from '../../store/messaging/messages.js';
import type { MessagingDeps } from '../messaging-deps.js';

/**
 * The push metrics clients report (docs/track-api.md §8, docs/messaging.md "Metrics from clients";
 * the SDK's trackMetric).
 */
export type ClientPushMetric = 'delivered' | 'opened' | 'converted';

export interface DeliveryMetricInput {
  deliveryId: string;
  metric: ClientPushMetric;
  /** Unix seconds the client says it happened; defaults to now. */
  timestamp?: number;
  /** Known on authenticated routes; `/push/events` is unauthenticated, so null there. */
  workspaceId: number | null;
  /** `track_v1`, `sdk/<agent>`, … as on activities. */
  source: string;
}

export type DeliveryMetricResult = 'applied' | 'duplicate' | 'unknown_delivery';

const ACTIVITY: Record<ClientPushMetric, ActivityType> = {
  delivered: 'delivered_push',
  opened: 'opened_push',
  converted: 'converted_push',
};

/**
 * Applies a client-reported metric to the message (first report wins) and records the
 * `delivered_push` / `opened_push` / `converted_push` activity once, in the caller's transaction.
 * Unknown delivery ids answer `unknown_delivery`: the Track routes still answer 200 (the raw metric
 * is kept in `delivery_metrics`), as Customer.io does for ids it never issued.
 * Example: `await applyDeliveryMetric(deps, trx, { deliveryId, metric: 'opened', workspaceId: null, source: 'track_v1' })`.
 */
export async function applyDeliveryMetric(
  deps: MessagingDeps,
  trx: Tx,
  input: DeliveryMetricInput,
): Promise<DeliveryMetricResult> {
  const message = await findMessageForUpdate(deps.store, trx, input.deliveryId, input.workspaceId);
  if (!message) return 'unknown_delivery';
  const at = input.timestamp ?? Math.floor(deps.clock.now() / 1000);
  if (!(await setMessageMetric(trx, message, input.metric, at))) return 'duplicate';
  await recordActivities(trx, [
    {
      workspaceId: message.workspaceId,
      personPid: message.personPid,
      identifiers: message.identifiers,
      type: ACTIVITY[input.metric],
      data: {
        delivery_id: message.deliveryId,
        delivered: message.metrics.delivered ?? null,
        opened: message.metrics.opened !== undefined ? true : null,
      },
      source: input.source,
      timestamp: at,
      deliveryId: message.deliveryId,
      deliveryType: message.deliveryType,
    },
  ]);
  return 'applied';
}
