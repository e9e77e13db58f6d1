import { parseRetryAfter, providerCode, type SendOutcome } from './provider-types.js';

interface FcmErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ '@type'?: string; errorCode?: string }>;
  };
}

/**
 * FCM HTTP v1 answer → outcome, from the error body as FCM sends it
 * (`error.status` plus `details[].errorCode` of type `google.firebase.fcm.v1.FcmError`):
 * UNREGISTERED / NOT_FOUND: the token is dead; INVALID_ARGUMENT, SENDER_ID_MISMATCH: this
 * device's push was rejected (a bounce); QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL, 429, 5xx: transient,
 * honouring Retry-After; UNAUTHENTICATED: our access token expired early, retry with a new one;
 * THIRD_PARTY_AUTH_ERROR (APNs credentials in Firebase) and PERMISSION_DENIED: our configuration.
 */
export function classifyFcmResponse(
  status: number,
  body: string,
  headers: { get(name: string): string | null },
  nowMs: number,
): SendOutcome {
  if (status === 200) {
    try {
      const name = (JSON.parse(body) as { name?: unknown }).name;
      return typeof name === 'string' ? { kind: 'sent', providerId: name } : { kind: 'sent' };
    } catch {
      return { kind: 'sent' };
    }
  }
  let parsed: FcmErrorBody = {};
  try {
    parsed = JSON.parse(body) as FcmErrorBody;
  } catch {
    // Keep the HTTP status as the only signal.
  }
  const e = parsed.error ?? {};
  const code = providerCode(
    Array.isArray(e.details) ? e.details.find((d) => typeof d?.errorCode === 'string')?.errorCode : undefined,
  );
  const state = providerCode(e.status);
  const reason = code ?? state ?? `HTTP ${status}`;
  const retryAfter = parseRetryAfter(headers.get('retry-after') ?? undefined, nowMs);
  const retry = (): SendOutcome => ({
    kind: 'retry',
    reason,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  });

  if (code === 'UNREGISTERED' || state === 'NOT_FOUND' || status === 404)
    return { kind: 'unregistered', reason };
  if (code === 'QUOTA_EXCEEDED' || code === 'UNAVAILABLE' || code === 'INTERNAL') return retry();
  if (status === 429 || status >= 500) return retry();
  if (status === 401 || state === 'UNAUTHENTICATED') return { kind: 'retry', reason };
  if (code === 'THIRD_PARTY_AUTH_ERROR' || status === 403) return { kind: 'failed', reason };
  // "Message is too big" (INVALID_ARGUMENT, or 413 from a proxy): our payload, not the device.
  if (status === 413 || (typeof e.message === 'string' && /too big|too large/i.test(e.message)))
    return { kind: 'failed', reason: `${reason}: the message is too big` };
  return { kind: 'bounced', reason };
}
