/**
 * Emails as identifiers (docs/track-api.md "Emails"): one address has one spelling. Unicode lets
 * `josé@x.com` be written precomposed (NFC, `é`) or decomposed (NFD, `e` + U+0301); both are the
 * same address, so Roster keeps every email it stores in NFC and compares them by `emailKey`:
 * NFC, then lower-cased as before (JavaScript's full Unicode case mapping: `Ä`/`ä` and the Kelvin
 * sign/`k` are one person on both engines).
 *
 * Every comparison of emails (Track v1/v2, Pipelines, App API lookups, import, merges, the
 * segment and filter engines, signed identify) goes through these two functions; the services
 * reach them as `services/identity/email.ts`, the store and filter layers from here.
 */

/** The spelling an email is stored in: NFC, case kept. */
export function storedEmail(email: string): string {
  return isAscii(email) ? email : email.normalize('NFC');
}

/** The key emails are compared by (the `email_norm` column): NFC and lower-cased. */
export function emailKey(email: string): string {
  if (isAscii(email)) return email.toLowerCase();
  // Lower-casing an NFC string can leave a sequence with a precomposed form: normalise again.
  return email.normalize('NFC').toLowerCase().normalize('NFC');
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}
