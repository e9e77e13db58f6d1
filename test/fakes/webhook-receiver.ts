import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got. */
export interface Received {
  id: string;
  event: string;
  timestamp: number;
  signature: string;
  attempt: number;
  method: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; created_at: number; data: Record<string, unknown> };
}

/**
 * How the receiver answers: `ok` 200; `error` 503; `gone` 410; `hold` keeps every request open
 * until `release()` (a slow receiver, or one that is mid-request when Roster dies).
 */
export type Mode = 'ok' | 'error' | 'gone' | 'hold';

/**
 * A webhook receiver on loopback speaking plain HTTP/1.1, as a customer's endpoint would. It can go
 * down (stop listening: connections are refused) and come back on the same port.
 */
export class WebhookReceiver {
  private server: http.Server | undefined;
  private port = 0;
  mode: Mode = 'ok';
  /** Requests answered 2xx, in arrival order. */
  readonly delivered: Received[] = [];
  /** Every request, whatever the answer. */
  readonly all: Received[] = [];
  private held: http.ServerResponse[] = [];
  retryAfter: string | undefined;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const r: Received = {
          id: String(req.headers['roster-webhook-id']),
          event: String(req.headers['roster-webhook-event']),
          timestamp: Number(req.headers['roster-webhook-timestamp']),
          signature: String(req.headers['roster-webhook-signature']),
          attempt: Number(req.headers['roster-webhook-attempt']),
          method: req.method ?? '',
          headers: req.headers,
          raw,
          body: JSON.parse(raw) as Received['body'],
        };
        this.all.push(r);
        if (this.mode === 'hold') {
          this.held.push(res);
          res.on('close', () => (this.held = this.held.filter((h) => h !== res)));
          (res as http.ServerResponse & { received?: Received }).received = r;
          return;
        }
        if (this.mode === 'ok') {
          this.delivered.push(r);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        } else {
          res.writeHead(this.mode === 'gone' ? 410 : 503, {
            'content-type': 'text/plain',
            ...(this.retryAfter ? { 'retry-after': this.retryAfter } : {}),
          });
          res.end(this.mode === 'gone' ? 'gone\u0007 for good' : 'try later');
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Requests held open now (mode `hold`). */
  get holding(): number {
    return this.held.length;
  }

  /** Answers every held request 200 (they count as delivered). */
  release(): void {
    for (const res of this.held) {
      const r = (res as http.ServerResponse & { received?: Received }).received;
      if (r) this.delivered.push(r);
      res.writeHead(200).end('ok');
    }
    this.held = [];
  }

  /** Stops listening and drops open connections: the receiver is down. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    if (!this.server) await this.start();
  }

  /** Distinct event ids delivered. */
  deliveredIds(): Set<string> {
    return new Set(this.delivered.map((r) => r.id));
  }
}

/** The check docs/webhooks.md shows: any `v1=` of the header matches the HMAC of `timestamp.body`. */
export function verifies(secret: string, r: Received): boolean {
  const expected = createHmac('sha256', secret).update(`${r.timestamp}.${r.raw}`).digest();
  return r.signature
    .split(' ')
    .map((part) => Buffer.from(part.replace(/^v1=/, ''), 'hex'))
    .some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
}
