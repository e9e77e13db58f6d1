import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { loadPrivateKey, signJwt } from './jwt.js';

/**
 * Apple rejects provider tokens older than one hour (ExpiredProviderToken) and answers
 * TooManyProviderTokenUpdates when a token changes more often than every 20 minutes; refreshing at
 * 50 minutes stays inside both.
 */
const REFRESH_AFTER_MS = 50 * 60 * 1000;

/** The APNs provider token: an ES256 JWT `{alg, kid}.{iss: teamId, iat}`, cached and reused. */
export class ApnsTokenCache {
  private readonly key: KeyObject;
  private cached: { jwt: string; issuedMs: number } | undefined;

  constructor(
    private readonly teamId: string,
    private readonly keyId: string,
    privateKeyPem: string,
    private readonly clock: Clock,
  ) {
    this.key = loadPrivateKey(privateKeyPem, 'APNs .p8 key');
  }

  token(): string {
    const now = this.clock.now();
    if (this.cached && now - this.cached.issuedMs < REFRESH_AFTER_MS) return this.cached.jwt;
    const jwt = signJwt(
      'ES256',
      { kid: this.keyId },
      { iss: this.teamId, iat: Math.floor(now / 1000) },
      this.key,
    );
    this.cached = { jwt, issuedMs: now };
    return jwt;
  }

  /** After ExpiredProviderToken (the clock jumped, or APNs disagrees): sign afresh next time. */
  invalidate(): void {
    this.cached = undefined;
  }
}
