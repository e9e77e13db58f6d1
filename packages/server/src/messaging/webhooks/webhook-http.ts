import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isLocalHostName, isPrivateAddress } from './address-guard.js';

export interface WebhookHttpOptions {
  /** Let deliveries reach loopback and private addresses (ROSTER_WEBHOOK_ALLOW_PRIVATE=1). */
  allowPrivate: boolean;
  /** Time to open the TCP connection. */
  connectTimeoutMs: number;
  /** Time for the whole exchange: connect, send, the answer's headers and the excerpt. */
  timeoutMs: number;
}

export interface WebhookPost {
  url: string;
  /** Default POST (campaign webhook actions may PUT or PATCH). */
  method?: string;
  body: string;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

export interface WebhookAnswer {
  /** null when no HTTP answer came (refused, timed out, blocked). */
  statusCode: number | null;
  latencyMs: number;
  /** The start of the answer's body, control characters removed, at most EXCERPT_CHARS. */
  excerpt: string | null;
  /** Why this is not a 2xx, in words; null for a 2xx. */
  error: string | null;
  /** The receiver's `Retry-After`, in ms. */
  retryAfterMs?: number;
}

const EXCERPT_BYTES = 2048;
const EXCERPT_CHARS = 512;
const MAX_REDIRECTS = 3;

/** Why Roster will not call `url` (or undefined): the scheme, and a host that is a private IP literal. */
export function refuseWebhookUrl(raw: string, allowPrivate: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'it is not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'it is not an http(s) URL';
  if (u.username || u.password) return 'it carries credentials; put them in a header instead';
  if (allowPrivate) return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isLocalHostName(host) || (isIP(host) && isPrivateAddress(host)))
    return `${u.hostname} is a private or loopback address; the operator can allow those with ROSTER_WEBHOOK_ALLOW_PRIVATE=1`;
  return undefined;
}

class Refused extends Error {}

/**
 * POSTs webhook deliveries: connect and total timeouts, no redirects but 307/308 to the same
 * origin, and — unless allowed — no private or loopback address, checked on the address each
 * connection actually uses (so a name that resolves to an internal address, or starts to, is
 * refused too). Never throws: every outcome is a `WebhookAnswer`.
 */
export class WebhookHttp {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly o: WebhookHttpOptions) {}

  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    const answer = callback as (
      err: Error | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void;
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return answer(err, '', 0);
      const list = addresses;
      const bad = this.o.allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad)
        return answer(
          new Refused(`${hostname} resolves to ${bad.address}, a private or loopback address`),
          '',
          0,
        );
      if (options.all) return answer(null, list);
      const first = list[0];
      if (!first) return answer(new Error(`${hostname} has no address`), '', 0);
      answer(null, first.address, first.family);
    });
  };

  async post(p: WebhookPost): Promise<WebhookAnswer> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const deadline = Date.now() + this.o.timeoutMs;
    let url = p.url;
    const origin = safeOrigin(p.url);
    for (let hop = 0; ; hop++) {
      const refused = refuseWebhookUrl(url, this.o.allowPrivate);
      if (refused)
        return { statusCode: null, latencyMs: latency(), excerpt: null, error: `refused: ${refused}` };
      let res: RawAnswer;
      try {
        res = await this.once(url, p, deadline);
      } catch (err) {
        return { statusCode: null, latencyMs: latency(), excerpt: null, error: describe(err) };
      }
      const status = res.statusCode;
      if (status >= 300 && status < 400 && res.location !== undefined) {
        let next: URL;
        try {
          next = new URL(res.location, url);
        } catch {
          return done(res, latency(), `redirect to an invalid location`);
        }
        if (next.origin !== origin)
          return done(res, latency(), `redirect to another host (${next.host}) refused`);
        if (status !== 307 && status !== 308)
          return done(res, latency(), `redirect ${status} not followed (only 307/308 keep the POST)`);
        if (hop >= MAX_REDIRECTS) return done(res, latency(), 'too many redirects');
        url = next.toString();
        continue;
      }
      const ok = status >= 200 && status < 300;
      return done(res, latency(), ok ? null : `the receiver answered ${status}`);
    }
  }

  private once(url: string, p: WebhookPost, deadline: number): Promise<RawAnswer> {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise<RawAnswer>((resolve, reject) => {
      const req = request(u, {
        method: p.method ?? 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        lookup: this.lookup,
        headers: { ...p.headers, 'content-length': Buffer.byteLength(p.body).toString() },
        ...(p.signal ? { signal: p.signal } : {}),
      });
      const left = Math.max(1, deadline - Date.now());
      const total = setTimeout(() => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)), left);
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const connect = setTimeout(
          () => req.destroy(new Error(`could not connect within ${this.o.connectTimeoutMs} ms`)),
          Math.min(this.o.connectTimeoutMs, left),
        );
        socket.once('connect', () => clearTimeout(connect));
        socket.once('close', () => clearTimeout(connect));
      });
      req.on('error', (err) => {
        clearTimeout(total);
        reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept >= EXCERPT_BYTES) return;
          const part = chunk.subarray(0, EXCERPT_BYTES - kept);
          chunks.push(part);
          kept += part.length;
        });
        res.on('error', (err) => {
          clearTimeout(total);
          reject(err);
        });
        res.on('end', () => {
          clearTimeout(total);
          const location = res.headers.location;
          resolve({
            statusCode: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            retryAfter: res.headers['retry-after'],
            ...(typeof location === 'string' ? { location } : {}),
          });
        });
      });
      req.end(p.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

interface RawAnswer {
  statusCode: number;
  body: Buffer;
  retryAfter: string | undefined;
  location?: string;
}

function done(res: RawAnswer, latencyMs: number, error: string | null): WebhookAnswer {
  const retryAfterMs = parseRetryAfter(res.retryAfter);
  return {
    statusCode: res.statusCode,
    latencyMs,
    excerpt: sanitiseExcerpt(res.body),
    error,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** Text a person can read in the dashboard: no control characters, bounded. */
export function sanitiseExcerpt(body: Buffer): string | null {
  if (body.length === 0) return null;
  const text = body
    .toString('utf8')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\uFFFD/g, '');
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function describe(err: unknown): string {
  if (err instanceof Refused) return `refused: ${err.message}`;
  const e = err as { code?: string; message?: string; name?: string };
  if (e.name === 'AbortError') return 'stopped: the server is shutting down';
  return e.code && !String(e.message).includes(e.code) ? `${e.code}: ${e.message}` : String(e.message ?? err);
}
