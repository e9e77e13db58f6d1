import { verify, type KeyObject } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** Verifies a compact JWS as the real services do; returns why not, or the decoded token. */
export function verifyJwt(
  jwt: string,
  alg: 'ES256' | 'RS256',
  key: KeyObject,
): { ok: true; jwt: DecodedJwt } | { ok: false; why: string } {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, why: 'not a compact JWS' };
  const [h, c, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, why: 'undecodable' };
  }
  if (header.alg !== alg) return { ok: false, why: `alg ${String(header.alg)}` };
  const sig = Buffer.from(s, 'base64url');
  // ES256 JWS signatures are raw r‖s (64 bytes); a DER signature is a mistake the real APNs rejects.
  if (alg === 'ES256' && sig.length !== 64) return { ok: false, why: 'ES256 signature is not 64 bytes' };
  const good =
    alg === 'ES256'
      ? verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, sig)
      : verify('sha256', Buffer.from(`${h}.${c}`), key, sig);
  return good ? { ok: true, jwt: { header, claims } } : { ok: false, why: 'bad signature' };
}
