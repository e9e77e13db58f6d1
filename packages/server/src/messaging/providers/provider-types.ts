import type { PushContent } from '../templates/push-template.js';

/**
 * `custom_payload` of a send (docs/messaging.md "`POST /v1/send/push`", step 3): raw per-platform
 * payloads that override the rest.
 */
export interface CustomPayload {
  ios?: Record<string, unknown>;
  android?: Record<string, unknown>;
}

/** One push to one device. */
export interface PushRequest {
  deliveryId: string;
  token: string;
  /** ios | android (lower-cased). */
  platform: string;
  content: PushContent;
  customPayload?: CustomPayload | null;
  /** Aborted when the process stops: the call ends at once (as a `retry`). */
  signal?: AbortSignal;
}

/** Connecting to a provider (TCP + TLS) may take this long. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** One call to a provider (a send, an OAuth token exchange), connecting included. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** `timeoutMs` from now, or `signal`, whichever comes first. */
export function deadlineSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

/**
 * A reason taken from a provider's answer, kept only when it looks like a provider's error code
 * (`BadDeviceToken`, `INVALID_ARGUMENT`): a provider host can be anything its settings name, and
 * its answer must never be copied into a message record.
 */
export function providerCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(value) ? value : undefined;
}

/**
 * What a provider's answer means for the message and the device:
 * - `sent`: accepted by APNs/FCM;
 * - `unregistered`: the token is dead; the device is deleted from the person;
 * - `bounced`: the provider rejected this device's push; two in a row suppress the device;
 * - `failed`: the push cannot go out for a reason that is not the device's (bad credentials,
 *   payload too large); the message fails, the device status is left alone;
 * - `retry`: try again later (429, 5xx, network), after `retryAfterMs` when the provider said.
 */
export type SendOutcome =
  | { kind: 'sent'; providerId?: string }
  | { kind: 'unregistered'; reason: string }
  | { kind: 'bounced'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

export interface PushProvider {
  readonly kind: 'apns' | 'fcm' | 'log';
  send(req: PushRequest): Promise<SendOutcome>;
  close(): Promise<void>;
}

/**
 * Delivery headers the SDKs read to report `delivered` / `opened`
 * (docs/messaging.md "`POST /v1/send/push`", step 8).
 */
export const DELIVERY_ID_KEY = 'CIO-Delivery-ID';
export const DELIVERY_TOKEN_KEY = 'CIO-Delivery-Token';

/** `Retry-After` (seconds or an HTTP date) → milliseconds, or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
