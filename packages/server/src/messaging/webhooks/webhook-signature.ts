import { createHmac, randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` and 32 random bytes (base64url). The whole string is the HMAC key. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The `Roster-Webhook-Signature` value (docs/webhooks.md "Verifying a delivery"): `v1=` and the
 * hex HMAC-SHA256 of `<timestamp>.<body>` under each secret that signs now (the current one, and
 * the previous one while a rotation overlaps), separated by a space.
 */
export function signWebhook(secrets: readonly string[], timestamp: number, body: string): string {
  return secrets
    .map((s) => `v1=${createHmac('sha256', s).update(`${timestamp}.${body}`).digest('hex')}`)
    .join(' ');
}
