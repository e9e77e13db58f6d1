import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import type { Clock } from '../../lib/clock.js';
import { classifyApnsResponse } from './apns-classify.js';
import { buildApnsPayload } from './apns-payload.js';
import { ApnsTokenCache } from './apns-token.js';
import {
  CONNECT_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  type PushProvider,
  type PushRequest,
  type SendOutcome,
} from './provider-types.js';

/** The `push_providers.config` of an `apns` row (token-based auth with a .p8 key). */
export interface ApnsConfig {
  teamId: string;
  keyId: string;
  /** The .p8 PKCS#8 PEM from the Apple developer account. */
  privateKey: string;
  /** The app's bundle id: the `apns-topic` header. */
  topic: string;
  /** true → api.push.apple.com; false (default) → api.sandbox.push.apple.com. */
  production?: boolean;
  /** Origin override, e.g. `https://127.0.0.1:8443` for a test server. */
  origin?: string;
  /** PEM CA to trust for `origin` (a test server's self-signed certificate). */
  ca?: string;
  /** 10 (immediate, the default) or 5 (power-considerate). */
  priority?: 5 | 10;
}

/** Same delivery, same apns-id: a retried push carries the id of the first attempt. */
export function apnsIdFor(deliveryId: string): string {
  const h = createHash('sha256').update(deliveryId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/** APNs over HTTP/2 with provider-token auth; one multiplexed connection, reopened when it drops. */
export class ApnsProvider implements PushProvider {
  readonly kind = 'apns' as const;
  private readonly tokens: ApnsTokenCache;
  private readonly origin: string;
  private session: http2.ClientHttp2Session | undefined;

  constructor(
    private readonly config: ApnsConfig,
    private readonly clock: Clock,
  ) {
    this.tokens = new ApnsTokenCache(config.teamId, config.keyId, config.privateKey, clock);
    this.origin =
      config.origin ??
      (config.production ? 'https://api.push.apple.com' : 'https://api.sandbox.push.apple.com');
  }

  async send(req: PushRequest): Promise<SendOutcome> {
    const { payload, headers } = buildApnsPayload(req);
    let result: { status: number; body: string; headers: Record<string, string | string[] | undefined> };
    try {
      result = await this.post(
        `/3/device/${encodeURIComponent(req.token)}`,
        JSON.stringify(payload),
        req.signal,
        {
          'apns-push-type': 'alert',
          'apns-priority': String(this.config.priority ?? 10),
          'apns-id': apnsIdFor(req.deliveryId),
          // A push resent after a crash (same delivery) replaces the first on the device rather than
          // showing twice: the outbox is at-least-once between the provider's answer and our commit.
          'apns-collapse-id': req.deliveryId.slice(0, 64),
          ...headers,
          'apns-topic': headers['apns-topic'] ?? this.config.topic,
        },
      );
    } catch (err) {
      return { kind: 'retry', reason: `network: ${(err as Error).message}` };
    }
    const outcome = classifyApnsResponse(result.status, result.body, result.headers, this.clock.now());
    if (outcome.kind === 'retry' && outcome.reason === 'ExpiredProviderToken') this.tokens.invalidate();
    return outcome;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(this.origin, this.config.ca ? { ca: this.config.ca } : {});
    // A dropped connection (GOAWAY, network) is replaced on the next send.
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);
    // A host that takes the TCP connection but never completes TLS / HTTP/2 is dropped.
    const connecting = setTimeout(() => {
      if (!session.connecting) return;
      forget();
      session.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`));
    }, CONNECT_TIMEOUT_MS);
    connecting.unref();
    session.once('connect', () => clearTimeout(connecting));
    session.once('close', () => clearTimeout(connecting));
    session.unref();
    this.session = session;
    return session;
  }

  private post(
    path: string,
    body: string,
    signal: AbortSignal | undefined,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('stopped by shutdown'));
      const stream = this.connect().request({
        ':method': 'POST',
        ':path': path,
        authorization: `bearer ${this.tokens.token()}`,
        'content-type': 'application/json',
        ...headers,
      });
      // One deadline for the whole call (connecting included), and shutdown ends it at once.
      const give = (reason: string) => {
        reject(new Error(reason));
        stream.close(http2.constants.NGHTTP2_CANCEL);
      };
      const timer = setTimeout(
        () => give(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`),
        REQUEST_TIMEOUT_MS,
      );
      const abort = () => give('stopped by shutdown');
      signal?.addEventListener('abort', abort, { once: true });
      stream.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      });
      let status = 0;
      let resHeaders: Record<string, string | string[] | undefined> = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        resHeaders = h as Record<string, string | string[] | undefined>;
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () =>
        status
          ? resolve({ status, body: Buffer.concat(chunks).toString('utf8'), headers: resHeaders })
          : reject(new Error('no response')),
      );
      stream.on('error', reject);
      stream.on('close', () => {
        if (!status) reject(new Error('stream closed without a response'));
      });
      stream.end(body);
    });
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s && !s.closed) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
