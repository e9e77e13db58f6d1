/**
 * Every public tracking method as data. The client turns a call into queued ops inside the actor,
 * and the pre-initialize buffer stores calls in this shape to replay them in order.
 */
export type Call =
  | { method: 'identify'; identifier: string; body?: Record<string, unknown> }
  | { method: 'clearIdentify' }
  | { method: 'setProfileAttributes'; attributes: Record<string, unknown> }
  | { method: 'setDeviceAttributes'; attributes: Record<string, unknown> }
  | { method: 'registerDeviceToken'; token: string }
  | { method: 'deleteDeviceToken' }
  | { method: 'track' | 'screen' | 'page'; name: string; data?: Record<string, unknown> }
  | { method: 'trackMetric'; metric: PushMetric }
  /** Internal: refresh `last_used` and device attributes at launch (sdk.md §4.3). */
  | { method: 'launch' };

/** Push metric as in the classic `trackMetric(deliveryID, event, deviceToken)`. */
export interface PushMetric {
  deliveryId: string;
  event: 'delivered' | 'opened' | 'converted' | (string & {});
  deviceToken: string;
}
