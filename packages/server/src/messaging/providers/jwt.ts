import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/**
 * Compact JWS signing with node:crypto: ES256 (APNs) or RS256 (Google's OAuth grant).
 * ES256 signatures must be the raw 64-byte r‖s form (`ieee-p1363`), not DER.
 */
export function signJwt(
  alg: 'ES256' | 'RS256',
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64url(JSON.stringify({ ...header, alg }))}.${b64url(JSON.stringify(claims))}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${b64url(signature)}`;
}

/** Reads a PEM private key (.p8 PKCS#8 or a service account's `private_key`), failing early and clearly. */
export function loadPrivateKey(pem: string, what: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${what}: not a PEM private key (${(err as Error).message})`);
  }
}
