import { buildApnsPayload } from './apns-payload.js';
import { buildFcmMessage } from './fcm-message.js';
import type { PushRequest } from './provider-types.js';

/**
 * The largest push APNs and FCM accept (4 KB each for regular notifications). Bigger is refused
 * by the provider (APNs 413 PayloadTooLarge, FCM INVALID_ARGUMENT "Message is too big"), and that
 * is the message's fault, never the device's.
 */
export const MAX_PUSH_PAYLOAD_BYTES = 4096;

/** The bytes the provider counts for this push: APNs' JSON payload, or FCM's message without the token. */
export function pushPayloadBytes(req: PushRequest): number {
  if (req.platform === 'ios') return Buffer.byteLength(JSON.stringify(buildApnsPayload(req).payload));
  const message = { ...buildFcmMessage(req) };
  delete message.token;
  return Buffer.byteLength(JSON.stringify(message));
}

/** Why this push cannot go out as it is, or undefined when it fits. */
export function payloadTooLarge(req: PushRequest): string | undefined {
  const bytes = pushPayloadBytes(req);
  if (bytes <= MAX_PUSH_PAYLOAD_BYTES) return undefined;
  return `the push is ${bytes} bytes, over the ${MAX_PUSH_PAYLOAD_BYTES}-byte limit of APNs and FCM: shorten its title, message or custom data`;
}
