/**
 * The one place services compare and store emails (docs/track-api.md "Emails"): NFC, and
 * lower-cased for comparison. Defined in lib/ so the store and filter layers share it.
 */
export { emailKey, storedEmail } from '../../lib/email.js';
