import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Which API a key opens. Hashes are domain-separated so a key of one kind never matches the other. */
export type KeyKind = 'track' | 'app' | 'write';

/**
 * Keys are long random strings, so a fast hash is enough: there is nothing to brute-force that
 * a slow KDF would protect. The kind prefix keeps a tracking key from ever hashing to an App key.
 */
export function hashKey(kind: KeyKind, key: string): string {
  return createHash('sha256').update(`${kind}:${key}`, 'utf8').digest('hex');
}

/** `hashKey` as bytes (no hex text to make and parse again), for `sameDigest`. */
export function hashKeyBytes(kind: KeyKind, key: string): Buffer {
  return createHash('sha256').update(`${kind}:${key}`, 'utf8').digest();
}

/** Compares two digests (bytes) in constant time. */
export function sameDigest(x: Buffer, y: Buffer): boolean {
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Compares two hex digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  return sameDigest(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** 20 hex characters, the shape of Customer.io's site ids and tracking API keys. */
export function generateSiteId(): string {
  return randomBytes(10).toString('hex');
}

export function generateTrackKey(): string {
  return randomBytes(10).toString('hex');
}

/** App API keys are longer: they can read every person in the workspace. */
export function generateAppKey(): string {
  return `app_${randomBytes(20).toString('hex')}`;
}

/** A public write key (Pipelines API): the app's key, like the tracking key it is not secret. */
export function generateWriteKey(): string {
  return `wk_${randomBytes(16).toString('hex')}`;
}

/** A server write key (Pipelines API): secret, for back ends (exempt from signed identify). */
export function generateServerWriteKey(): string {
  return `swk_${randomBytes(20).toString('hex')}`;
}

/** Signed identify's per-workspace secret: 32 random bytes (HMAC-SHA256's block of strength). */
export function generateIdentitySecret(): string {
  return `ivs_${randomBytes(32).toString('hex')}`;
}
