import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { loadPrivateKey, signJwt } from './jwt.js';
import { deadlineSignal, providerCode, REQUEST_TIMEOUT_MS } from './provider-types.js';

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
 * After an exchange fails (refused, unreachable, timed out), sends fail at once with the same
 * error for this long instead of each waiting for the token endpoint again: a token endpoint that
 * hangs costs one timeout per this period, not one per message.
 */
const FAILURE_HOLD_MS = 5_000;

/**
 * OAuth 2 access tokens for FCM via the JWT-bearer grant (RFC 7523): an RS256 JWT signed with the
 * service account's key, exchanged at `token_uri`, cached until shortly before `expires_in`.
 * Concurrent senders share one in-flight exchange.
 */
export class FcmAccessTokens {
  private readonly key: KeyObject;
  private cached: { token: string; expiresMs: number } | undefined;
  private inflight: Promise<string> | undefined;
  private failed: { error: Error; untilMs: number } | undefined;

  constructor(
    private readonly account: ServiceAccount,
    private readonly clock: Clock,
  ) {
    this.key = loadPrivateKey(account.private_key, 'service account private_key');
  }

  get tokenUri(): string {
    return this.account.token_uri ?? GOOGLE_TOKEN_URI;
  }

  /** A token; `signal` ends the wait for it (the exchange itself has its own deadline). */
  async token(signal?: AbortSignal): Promise<string> {
    const now = this.clock.now();
    if (this.cached && now < this.cached.expiresMs - EARLY_RENEW_MS) return this.cached.token;
    if (this.failed && now < this.failed.untilMs) throw this.failed.error;
    this.inflight ??= this.exchange()
      .catch((err: unknown) => {
        this.failed = { error: err as Error, untilMs: this.clock.now() + FAILURE_HOLD_MS };
        throw err;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    if (!signal) return this.inflight;
    return new Promise<string>((resolve, reject) => {
      const abort = () => reject(new Error('aborted'));
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      this.inflight!.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  invalidate(): void {
    this.cached = undefined;
    this.failed = undefined;
  }

  private async exchange(): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    const assertion = signJwt(
      'RS256',
      { typ: 'JWT', ...(this.account.private_key_id ? { kid: this.account.private_key_id } : {}) },
      { iss: this.account.client_email, scope: FCM_SCOPE, aud: this.tokenUri, iat, exp: iat + 3600 },
      this.key,
    );
    // One deadline for connecting, sending and reading the whole answer (before, a
    // token endpoint that accepted the connection and never answered held every send for 300 s).
    const signal = deadlineSignal(REQUEST_TIMEOUT_MS);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
        signal,
      });
      text = await res.text();
    } catch (err) {
      throw new Error(
        signal.aborted
          ? `the token endpoint did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`
          : `the token endpoint could not be reached (${(err as Error).message})`,
      );
    }
    if (!res.ok) throw new OAuthGrantError(res.status, text);
    let body: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // handled below
    }
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new OAuthGrantError(res.status, '{}');
    this.cached = {
      token: body.access_token,
      expiresMs: this.clock.now() + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000,
    };
    return body.access_token;
  }
}

/**
 * The token endpoint refused the grant: 4xx is our configuration, 5xx transient. The message keeps
 * only OAuth's error code (`invalid_grant`) from the answer, never its body: the endpoint is a
 * setting, and whatever it answers ends up in the message's `failure_message`.
 */
export class OAuthGrantError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    let code: string | undefined;
    try {
      code = providerCode((JSON.parse(body) as { error?: unknown }).error);
    } catch {
      code = undefined;
    }
    super(`OAuth grant refused (HTTP ${status}${code ? `, ${code}` : ''})`);
    this.name = 'OAuthGrantError';
  }
}
