import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ApnsKey } from './push-credentials.js';
import { selfSignedCert } from './push-credentials.js';
import { verifyJwt, type DecodedJwt } from './jwt-verify.js';

/** What the fake answers for a token, instead of 200. `reason` as in Apple's error table. */
export interface ApnsScript {
  status: number;
  reason: string;
  retryAfter?: string;
}

export interface ApnsReceived {
  token: string;
  headers: Record<string, string | string[] | undefined>;
  payload: Record<string, unknown>;
  jwt: DecodedJwt;
  status: number;
}

/** Apple's limit for alert pushes. */
const MAX_PAYLOAD_BYTES = 4096;
/** Apple refuses provider tokens older than an hour. */
const TOKEN_MAX_AGE_S = 3600;

/**
 * A loopback APNs: HTTP/2 over TLS (self-signed, pass `ca` to the client) that checks what Apple
 * checks — ES256 provider token signed by the team's key with the right `kid`/`iss` and a fresh
 * `iat`, `apns-topic`, push type, `apns-id` form, token form, payload size — and answers Apple's
 * error bodies. `script(token, …)` queues answers for a token; everything received is recorded.
 */
export class FakeApns {
  readonly received: ApnsReceived[] = [];
  private readonly scripts = new Map<string, ApnsScript[]>();
  private server: http2.Http2SecureServer | undefined;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  ca = '';
  origin = '';
  /** The fake's notion of now (unix s) for `iat` checks; tests may move it. */
  now: () => number = () => Math.floor(Date.now() / 1000);

  constructor(
    private readonly key: ApnsKey,
    readonly topic: string,
  ) {}

  async start(): Promise<this> {
    const { key, cert } = selfSignedCert();
    this.ca = cert;
    const server = http2.createSecureServer({ key, cert });
    server.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
    });
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => this.handle(stream, headers, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  script(token: string, ...answers: ApnsScript[]): void {
    this.scripts.set(token, [...(this.scripts.get(token) ?? []), ...answers]);
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer): void {
    const apnsId = typeof headers['apns-id'] === 'string' ? headers['apns-id'] : randomUUID().toUpperCase();
    const answer = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      stream.respond({ ':status': status, 'apns-id': apnsId, ...extra });
      const out: Record<string, unknown> | undefined = reason
        ? status === 410
          ? { reason, timestamp: Date.now() }
          : { reason }
        : undefined;
      stream.end(out ? JSON.stringify(out) : undefined);
      return status;
    };
    const path = String(headers[':path'] ?? '');
    const m = /^\/3\/device\/([^/?]+)$/.exec(path);
    if (headers[':method'] !== 'POST') return void answer(405, 'MethodNotAllowed');
    if (!m) return void answer(404, 'BadPath');
    const token = decodeURIComponent(m[1]!);

    const auth = String(headers.authorization ?? '');
    if (!auth.startsWith('bearer ')) return void answer(403, 'MissingProviderToken');
    const v = verifyJwt(auth.slice('bearer '.length), 'ES256', this.key.publicKey);
    if (!v.ok) return void answer(403, 'InvalidProviderToken');
    const { header, claims } = v.jwt;
    if (header.kid !== this.key.keyId || claims.iss !== this.key.teamId)
      return void answer(403, 'InvalidProviderToken');
    const iat = Number(claims.iat);
    if (!Number.isInteger(iat) || iat > this.now() + 60) return void answer(403, 'InvalidProviderToken');
    if (this.now() - iat > TOKEN_MAX_AGE_S) return void answer(403, 'ExpiredProviderToken');

    if (!headers['apns-topic']) return void answer(400, 'MissingTopic');
    if (headers['apns-topic'] !== this.topic) return void answer(400, 'BadTopic');
    const pushType = headers['apns-push-type'];
    if (pushType !== undefined && pushType !== 'alert' && pushType !== 'background') {
      return void answer(400, 'InvalidPushType');
    }
    if (
      headers['apns-id'] !== undefined &&
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(apnsId)
    ) {
      return void answer(400, 'BadMessageId');
    }
    const prio = headers['apns-priority'];
    if (prio !== undefined && !['1', '5', '10'].includes(String(prio)))
      return void answer(400, 'BadPriority');
    if (body.length > MAX_PAYLOAD_BYTES) return void answer(413, 'PayloadTooLarge');
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return void answer(400, 'PayloadEmpty');
    }
    if (typeof payload !== 'object' || payload === null || typeof payload.aps !== 'object') {
      return void answer(400, 'PayloadEmpty');
    }
    if (!/^[0-9a-f]{64}$/i.test(token)) return void answer(400, 'BadDeviceToken');

    const scripted = this.scripts.get(token)?.shift();
    const status = scripted
      ? answer(
          scripted.status,
          scripted.reason,
          scripted.retryAfter ? { 'retry-after': scripted.retryAfter } : {},
        )
      : answer(200);
    this.received.push({ token, headers: { ...headers }, payload, jwt: v.jwt, status });
  }
}
