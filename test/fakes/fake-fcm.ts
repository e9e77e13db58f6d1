import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyJwt, type DecodedJwt } from './jwt-verify.js';
import { makeServiceAccount, type ServiceAccountKey } from './push-credentials.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Scripted FCM answers, by FCM error code. */
export type FcmScript =
  | 'UNREGISTERED'
  | 'INVALID_ARGUMENT'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'QUOTA_EXCEEDED'
  | 'SENDER_ID_MISMATCH'
  | 'TOO_BIG';

export interface FcmReceived {
  token: string;
  message: Record<string, unknown>;
  status: number;
}

const ERRORS: Record<FcmScript, { code: number; status: string; message: string }> = {
  UNREGISTERED: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  INVALID_ARGUMENT: {
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: 'The registration token is not a valid FCM registration token',
  },
  UNAVAILABLE: { code: 503, status: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
  INTERNAL: { code: 500, status: 'INTERNAL', message: 'Internal error encountered.' },
  QUOTA_EXCEEDED: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'Quota exceeded for quota metric.' },
  SENDER_ID_MISMATCH: { code: 403, status: 'PERMISSION_DENIED', message: 'SenderId mismatch' },
  // What FCM answers for a message over 4 KB.
  TOO_BIG: { code: 400, status: 'INVALID_ARGUMENT', message: 'Message is too big' },
};

const fcmError = (code: number, status: string, message: string, errorCode?: string) => ({
  error: {
    code,
    message,
    status,
    ...(errorCode
      ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] }
      : {}),
  },
});

/**
 * A loopback FCM HTTP v1 plus Google's OAuth token endpoint. The token endpoint verifies the
 * RS256 grant against the service account's public key (`iss`, `aud` = token_uri, `scope`,
 * `exp`); `messages:send` checks the bearer token, the project and the message shape (one
 * target, string-only `data`), and answers FCM's error bodies. Everything received is recorded.
 */
export class FakeFcm {
  readonly received: FcmReceived[] = [];
  readonly grants: DecodedJwt[] = [];
  private readonly scripts = new Map<string, Array<FcmScript | { retryAfter: string; error: FcmScript }>>();
  private readonly accessTokens = new Set<string>();
  private server: http.Server | undefined;
  origin = '';
  account!: ServiceAccountKey;
  /** Seconds an access token lives. */
  tokenLifetime = 3599;

  async start(projectId = 'roster-test'): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.account = makeServiceAccount(`${this.origin}/token`, projectId);
    return this;
  }

  script(token: string, ...answers: Array<FcmScript | { retryAfter: string; error: FcmScript }>): void {
    this.scripts.set(token, [...(this.scripts.get(token) ?? []), ...answers]);
  }

  /** Forget issued access tokens, as if they expired server-side. */
  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(json));
      return status;
    };
    if (req.method === 'POST' && req.url === '/token') return void this.token(body, send);
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) return void send(404, fcmError(404, 'NOT_FOUND', 'Not found'));
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !this.accessTokens.has(auth.slice(7))) {
      return void send(
        401,
        fcmError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token.',
        ),
      );
    }
    if (decodeURIComponent(m[1]!) !== this.account.json.project_id) {
      return void send(403, fcmError(403, 'PERMISSION_DENIED', 'Permission denied on resource project.'));
    }
    let message: Record<string, unknown>;
    try {
      message = (JSON.parse(body) as { message: Record<string, unknown> }).message;
    } catch {
      return void send(400, fcmError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'));
    }
    const why = shapeProblem(message);
    if (why) return void send(400, fcmError(400, 'INVALID_ARGUMENT', why, 'INVALID_ARGUMENT'));
    const token = String(message.token);
    const scripted = this.scripts.get(token)?.shift();
    let status: number;
    if (scripted) {
      const code = typeof scripted === 'string' ? scripted : scripted.error;
      const e = ERRORS[code];
      status = send(
        e.code,
        fcmError(e.code, e.status, e.message, code),
        typeof scripted === 'string' ? {} : { 'retry-after': scripted.retryAfter },
      );
    } else {
      status = send(200, {
        name: `projects/${m[1]}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}`,
      });
    }
    this.received.push({ token, message, status });
  }

  private token(body: string, send: (s: number, j: unknown) => number): void {
    const form = new URLSearchParams(body);
    const bad = (d: string) => send(400, { error: 'invalid_grant', error_description: d });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return void send(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    }
    const v = verifyJwt(form.get('assertion') ?? '', 'RS256', this.account.publicKey);
    if (!v.ok) return void bad(`Invalid JWT Signature. (${v.why})`);
    const { claims } = v.jwt;
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== this.account.json.client_email) return void bad('Invalid issuer');
    if (claims.aud !== this.account.json.token_uri) return void bad('Invalid JWT: audience');
    if (
      !String(claims.scope ?? '')
        .split(' ')
        .includes(SCOPE)
    )
      return void bad('Invalid scope');
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(iat <= now + 60 && exp > now && exp - iat <= 3600)) {
      return void bad(
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
    }
    this.grants.push(v.jwt);
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    this.accessTokens.add(token);
    send(200, { access_token: token, expires_in: this.tokenLifetime, token_type: 'Bearer' });
  }
}

/** The checks FCM makes on a message that the fake reproduces. */
function shapeProblem(message: unknown): string | null {
  if (typeof message !== 'object' || message === null) return 'message is required';
  const m = message as Record<string, unknown>;
  const targets = ['token', 'topic', 'condition'].filter((k) => m[k] !== undefined);
  if (targets.length !== 1) return 'Exactly one of token, topic or condition must be specified';
  if (typeof m.token !== 'string' || m.token === '') return 'Invalid registration token';
  if (m.data !== undefined) {
    if (typeof m.data !== 'object' || m.data === null) return 'Invalid value at message.data';
    for (const [k, v] of Object.entries(m.data)) {
      if (typeof v !== 'string') return `Invalid value at 'message.data[${k}].value' (TYPE_STRING)`;
    }
  }
  if (m.notification !== undefined) {
    const n = m.notification as Record<string, unknown>;
    for (const k of Object.keys(n)) {
      if (!['title', 'body', 'image'].includes(k))
        return `Invalid JSON payload received. Unknown name "${k}" at 'message.notification'`;
      if (typeof n[k] !== 'string') return `Invalid value at 'message.notification.${k}' (TYPE_STRING)`;
    }
  }
  for (const k of Object.keys(m)) {
    if (
      ![
        'token',
        'topic',
        'condition',
        'data',
        'notification',
        'android',
        'apns',
        'webpush',
        'fcm_options',
        'name',
      ].includes(k)
    ) {
      return `Invalid JSON payload received. Unknown name "${k}" at 'message'`;
    }
  }
  if (JSON.stringify(m).length > 4096) return 'Message is too big';
  return null;
}

export { makeServiceAccount };
