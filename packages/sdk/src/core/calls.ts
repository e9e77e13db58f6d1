/**
 * Every public tracking method as data. The client turns a call into queued ops inside the actor,
 * and the pre-initialize buffer stores calls in this shape to replay them in order.
 */
export type Call =
  | { method: 'identify'; identifier: string; body?: Record<string, unknown>; signature?: string }
  | { method: 'clearIdentify' }
  | { method: 'setProfileAttributes'; attributes: Record<string, unknown> }
  | { method: 'setDeviceAttributes'; attributes: Record<string, unknown> }
  | { method: 'registerDeviceToken'; token: string }
  | { method: 'deleteDeviceToken' }
  | { method: 'track' | 'screen' | 'page'; name: string; data?: Record<string, unknown> }
  | { method: 'trackMetric'; metric: PushMetric }
  /**
   * Internal: refresh `last_used` and device attributes at launch
   * (packages/sdk/README.md "The identify flows").
   */
  | { method: 'launch' };

/** Options of `identify()`. */
export interface IdentifyOptions {
  /**
   * The identity signature your backend computed for this identifier: `"<exp>.<hex>"`, where hex is
   * HMAC-SHA256(secret, "<identifier>.<exp>") (README "Signed identify"). Sent with every person op
   * of this identity until `clearIdentify()` or the next `identify()`.
   */
  signature?: string;
}

/** Push metric as in the classic `trackMetric(deliveryID, event, deviceToken)`. */
export interface PushMetric {
  deliveryId: string;
  event: 'delivered' | 'opened' | 'converted' | (string & {});
  deviceToken: string;
}

/** The `identify` call as data; the signature is kept only when non-blank. */
export function identifyCall(
  identifier: string,
  body?: Record<string, unknown>,
  options?: IdentifyOptions,
): Call {
  const signature = typeof options?.signature === 'string' ? options.signature.trim() : '';
  return {
    method: 'identify',
    identifier: String(identifier ?? ''),
    ...(body ? { body } : {}),
    ...(signature ? { signature } : {}),
  };
}
