import { parseRetryAfter, providerCode, type SendOutcome } from './provider-types.js';

/**
 * APNs answer → outcome (Apple's "Handling notification responses from APNs" table):
 * 200 sent; 410 Unregistered and 400 BadDeviceToken mean the token is dead; 403 is our
 * credentials, 413 our payload (neither is the device's fault); 429 and 5xx are transient;
 * any other 4xx rejects this device's push (a bounce).
 */
export function classifyApnsResponse(
  status: number,
  body: string,
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
): SendOutcome {
  const apnsId = headers['apns-id'];
  if (status === 200) return { kind: 'sent', ...(typeof apnsId === 'string' ? { providerId: apnsId } : {}) };
  let reason = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { reason?: unknown };
    reason = providerCode(parsed.reason) ?? reason;
  } catch {
    // Non-JSON bodies (a proxy's error page) keep the status as the reason.
  }
  if (status === 410 || (status === 400 && reason === 'BadDeviceToken'))
    return { kind: 'unregistered', reason };
  if (status === 429 || status >= 500) {
    const after = parseRetryAfter(headers['retry-after'], nowMs);
    return { kind: 'retry', reason, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  if (status === 403 && reason === 'ExpiredProviderToken') return { kind: 'retry', reason };
  if (status === 403 || status === 413) return { kind: 'failed', reason };
  return { kind: 'bounced', reason };
}
