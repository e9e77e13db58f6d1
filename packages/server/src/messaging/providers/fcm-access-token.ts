import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { loadPrivateKey, signJwt } from './jwt.js';

/** The parts of a Google service-account JSON key that the OAuth grant uses. */
export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  /** Default https://oauth2.googleapis.com/token; a test points it at a fake. */
  token_uri?: string;
}

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
/** Google grants last an hour; renew a minute early so no request carries an expiring token. */
const EARLY_RENEW_MS = 60_000;

/**
 * OAuth 2 access tokens for FCM via the JWT-bearer grant (RFC 7523): an RS256 JWT signed with the
 * service account's key, exchanged at `token_uri`, cached until shortly before `expires_in`.
 * Concurrent senders share one in-flight exchange.
 */
export class FcmAccessTokens {
  private readonly key: KeyObject;
  private cached: { token: string; expiresMs: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(
    private readonly account: ServiceAccount,
    private readonly clock: Clock,
  ) {
    this.key = loadPrivateKey(account.private_key, 'service account private_key');
  }

  get tokenUri(): string {
    return this.account.token_uri ?? GOOGLE_TOKEN_URI;
  }

  async token(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.expiresMs - EARLY_RENEW_MS) return this.cached.token;
    this.inflight ??= this.exchange().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async exchange(): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    const assertion = signJwt(
      'RS256',
      { typ: 'JWT', ...(this.account.private_key_id ? { kid: this.account.private_key_id } : {}) },
      { iss: this.account.client_email, scope: FCM_SCOPE, aud: this.tokenUri, iat, exp: iat + 3600 },
      this.key,
    );
    const res = await fetch(this.tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
    });
    const text = await res.text();
    if (!res.ok) throw new OAuthGrantError(res.status, text);
    const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new OAuthGrantError(res.status, 'no access_token in the answer');
    this.cached = {
      token: body.access_token,
      expiresMs: this.clock.now() + (body.expires_in ?? 3600) * 1000,
    };
    return body.access_token;
  }
}

/** The token endpoint refused the grant: 4xx is our configuration, 5xx transient. */
export class OAuthGrantError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`OAuth grant refused (HTTP ${status}): ${body.slice(0, 200)}`);
    this.name = 'OAuthGrantError';
  }
}
