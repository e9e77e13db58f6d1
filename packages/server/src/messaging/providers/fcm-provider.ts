import type { Clock } from '../../lib/clock.js';
import { FcmAccessTokens, OAuthGrantError, type ServiceAccount } from './fcm-access-token.js';
import { classifyFcmResponse } from './fcm-classify.js';
import { buildFcmMessage } from './fcm-message.js';
import {
  deadlineSignal,
  REQUEST_TIMEOUT_MS,
  type PushProvider,
  type PushRequest,
  type SendOutcome,
} from './provider-types.js';

/** The `push_providers.config` of an `fcm` row. */
export interface FcmConfig {
  /** The service-account JSON key downloaded from the Firebase console. */
  serviceAccount: ServiceAccount;
  /** Origin override (default https://fcm.googleapis.com), e.g. a test server. */
  endpoint?: string;
}

/** FCM HTTP v1: `POST /v1/projects/<project_id>/messages:send` with an OAuth bearer token. */
export class FcmProvider implements PushProvider {
  readonly kind = 'fcm' as const;
  private readonly tokens: FcmAccessTokens;
  private readonly url: string;

  constructor(
    config: FcmConfig,
    private readonly clock: Clock,
  ) {
    this.tokens = new FcmAccessTokens(config.serviceAccount, clock);
    const origin = (config.endpoint ?? 'https://fcm.googleapis.com').replace(/\/$/, '');
    this.url = `${origin}/v1/projects/${encodeURIComponent(config.serviceAccount.project_id)}/messages:send`;
  }

  async send(req: PushRequest): Promise<SendOutcome> {
    let bearer: string;
    try {
      bearer = await this.tokens.token(req.signal);
    } catch (err) {
      const status = err instanceof OAuthGrantError ? err.status : 0;
      const reason = `oauth: ${(err as Error).message}`;
      return status >= 400 && status < 500 && status !== 429
        ? { kind: 'failed', reason }
        : { kind: 'retry', reason };
    }
    let res: Response;
    let text: string;
    const signal = deadlineSignal(REQUEST_TIMEOUT_MS, req.signal);
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: buildFcmMessage(req) }),
        signal,
      });
      text = await res.text();
    } catch (err) {
      return {
        kind: 'retry',
        reason: signal.aborted
          ? req.signal?.aborted
            ? 'network: stopped by shutdown'
            : `network: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
          : `network: ${(err as Error).message}`,
      };
    }
    if (res.status === 401) this.tokens.invalidate();
    return classifyFcmResponse(res.status, text, res.headers, this.clock.now());
  }

  async close(): Promise<void> {}
}
