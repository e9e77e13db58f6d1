import { signWebhook } from './webhook-signature.js';

/**
 * The headers of one webhook request (docs/webhooks.md "Verifying a delivery"): Roster's own
 * come last, so a campaign action's rendered headers cannot override them.
 */
export function webhookHeaders(r: {
  secret: string;
  previousSecret: string | null;
  previousSecretUntilMs: number | null;
  nowMs: number;
  body: string;
  /** `Roster-Webhook-Id`: the event's id (`evt_…`), a batch's (`bat_…`), a message's. */
  id: string;
  event: string;
  attempt: number;
  batchSize?: number | undefined;
  subscriptionId?: number | undefined;
  extra?: Record<string, string> | undefined;
}): Record<string, string> {
  const timestamp = Math.floor(r.nowMs / 1000);
  const secrets = [r.secret];
  if (r.previousSecret && (r.previousSecretUntilMs ?? 0) > r.nowMs) secrets.push(r.previousSecret);
  return {
    'content-type': 'application/json',
    'user-agent': 'Roster-Webhooks/1',
    ...(r.extra ?? {}),
    'roster-webhook-id': r.id,
    'roster-webhook-timestamp': String(timestamp),
    'roster-webhook-signature': signWebhook(secrets, timestamp, r.body),
    'roster-webhook-event': r.event,
    'roster-webhook-attempt': String(r.attempt),
    ...(r.subscriptionId !== undefined ? { 'roster-webhook-subscription': String(r.subscriptionId) } : {}),
    ...(r.batchSize !== undefined ? { 'roster-webhook-batch-size': String(r.batchSize) } : {}),
  };
}
