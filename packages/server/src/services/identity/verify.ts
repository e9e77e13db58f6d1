import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MetricsRegistry } from '../../lib/metrics.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { isEmail } from '../track/identifiers.js';
import { storedEmail } from './email.js';

/**
 * Signed identify (docs/security.md; contract in coord/contracts.md). The app's backend signs the
 * identifier a person is identified by with the workspace's secret:
 *
 *   token = "<exp>.<hex>",  hex = lowercase hex HMAC-SHA256(secret, "<identifier>.<exp>")
 *
 * where `exp` is the token's expiry in unix seconds. The identifier is exactly the string the
 * client uses (the path of a Track v1 request, the `id`/`email` in v2 `identifiers`). Anyone who
 * extracted the public tracking key from an app can then no longer write a person without a token
 * for that person, once the workspace enforces it.
 *
 * An email is one address in any Unicode spelling (docs/track-api.md "Emails"), so a token for an
 * email also verifies when it signs the email's NFC form: a backend that normalises to NFC works
 * whichever spelling the app sends. Ids are exact strings and are never normalised.
 *
 * @example
 *   const exp = Math.floor(Date.now() / 1000) + 86_400;
 *   const token = `${exp}.${createHmac('sha256', secret).update(`${id}.${exp}`).digest('hex')}`;
 */

/** What `checkIdentitySignature` decides: write (`ok`), refuse (403), or write and count (`logged`). */
export type IdentityCheck = 'ok' | 'refused' | 'logged';

/** Why a signature does not verify (`valid` when it does). */
export type SignatureVerdict = 'valid' | 'missing' | 'malformed' | 'expired' | 'mismatch' | 'no_secret';

/** `<exp>.<64 hex>`; exp has at most 12 digits (year 33658), which keeps the number exact. */
const TOKEN = /^(\d{1,12})\.([0-9a-f]{64})$/;

/** The token for `identifier` valid until `exp` (unix seconds): what the app's backend computes. */
export function signIdentity(secret: string, identifier: string, exp: number): string {
  return `${exp}.${createHmac('sha256', secret).update(`${identifier}.${exp}`, 'utf8').digest('hex')}`;
}

/**
 * Checks a token against the workspace's current secret and any rotated-out secret still inside
 * its overlap window, comparing in constant time. Independent of the workspace's mode.
 */
export function verifyIdentitySignature(
  workspace: Pick<Workspace, 'identitySecrets' | 'identifierMode'>,
  identifier: string,
  signature: string | undefined | null,
  now: number,
  kind?: IdentifierKind,
): SignatureVerdict {
  if (signature === undefined || signature === null || signature.trim() === '') return 'missing';
  const match = TOKEN.exec(signature.trim());
  if (!match) return 'malformed';
  const exp = Number(match[1]);
  if (exp < now) return 'expired';
  const given = Buffer.from(match[2]!, 'hex');
  const secrets = workspace.identitySecrets.filter((s) => s.retiresAt === null || s.retiresAt > now);
  if (secrets.length === 0) return 'no_secret';
  const forms = signedForms(workspace, identifier, kind);
  let ok = false;
  // Every accepted secret and form is tried (no early exit): timing says nothing about which matched.
  for (const s of secrets)
    for (const form of forms) {
      const expected = createHmac('sha256', s.secret).update(`${form}.${exp}`, 'utf8').digest();
      if (timingSafeEqual(expected, given)) ok = true;
    }
  return ok ? 'valid' : 'mismatch';
}

/** What kind of identifier a signature is for, when the caller knows (v2 `identifiers` keys). */
export type IdentifierKind = 'id' | 'email' | 'cio_id';

/** The strings a token may sign for `identifier`: itself, and an email's NFC spelling. */
function signedForms(
  workspace: Pick<Workspace, 'identifierMode'>,
  identifier: string,
  kind: IdentifierKind | undefined,
): string[] {
  const email =
    kind === 'email' || (kind === undefined && workspace.identifierMode !== 'id' && isEmail(identifier));
  if (!email) return [identifier];
  const nfc = storedEmail(identifier);
  return nfc === identifier ? [identifier] : [identifier, nfc];
}

/** Counter of identity checks by workspace mode and verdict (`/metrics`). */
export const IDENTITY_CHECKS_METRIC = 'roster_identity_signature_checks_total';

/**
 * The one decision every public-key person write goes through (Track v1/v2 here, Pipelines in its
 * helper): `ok` to write; `refused` when the workspace enforces signed identify and the signature
 * is missing, malformed, expired or wrong; `logged` when the workspace is in `log` mode and
 * `enforce` would have refused (the write goes ahead and is counted). `off` is always `ok` and
 * counts nothing. Anonymous writes (no person identifier) must not call this: they are allowed.
 */
export function checkIdentitySignature(
  workspace: Workspace,
  identifier: string,
  signature: string | undefined | null,
  now: number,
  metrics?: MetricsRegistry,
  kind?: IdentifierKind,
): IdentityCheck {
  const mode = workspace.settings.identityVerification;
  if (mode !== 'log' && mode !== 'enforce') return 'ok';
  const verdict = verifyIdentitySignature(workspace, identifier, signature, now, kind);
  metrics?.inc(IDENTITY_CHECKS_METRIC, { site_id: workspace.siteId, mode, verdict });
  if (verdict === 'valid') return 'ok';
  return mode === 'enforce' ? 'refused' : 'logged';
}

/** The message of a refusal, starting with `forbidden:` (the SDK drops such ops, never retrying). */
export function refusalMessage(verdict: SignatureVerdict, identifier: string): string {
  const who = identifier.length > 80 ? `${identifier.slice(0, 80)}…` : identifier;
  switch (verdict) {
    case 'missing':
      return `forbidden: this workspace requires signed identify; no identity signature was sent for '${who}'`;
    case 'malformed':
      return `forbidden: the identity signature for '${who}' is not "<exp>.<64 hex digits>"`;
    case 'expired':
      return `forbidden: the identity signature for '${who}' has expired; issue a new one`;
    case 'no_secret':
      return 'forbidden: this workspace requires signed identify but has no identity secret';
    default:
      return `forbidden: the identity signature does not match '${who}'`;
  }
}
