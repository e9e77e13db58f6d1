import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A loopback HTTP proxy that injects faults in front of a Roster server, for tests of clients that
 * must survive a bad network. Each request gets one fault, taken from `script` while it lasts and
 * then from a seeded schedule (so a failing run can be replayed with its seed):
 *
 * - `pass`: forwarded unchanged;
 * - `drop-request`: the connection is destroyed after part of the request arrived (nothing reaches
 *   the server);
 * - `drop-response`: the request is forwarded and committed by the server, but the connection is
 *   destroyed before the client sees the answer (the client must retry, the server de-duplicate);
 * - `500`: a JSON 500 without forwarding;
 * - `429`: a JSON 429 with `Retry-After: 1` without forwarding;
 * - `stall`: no answer for `stallMs`, then the connection is destroyed.
 *
 * `restart()` closes the listener and every open connection, then listens again on the same port.
 */
export type Fault = 'pass' | 'drop-request' | 'drop-response' | '500' | '429' | 'stall';

export interface FlakyProxyOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:40123`. */
  target: string;
  seed?: number;
  /** Relative weights of the seeded schedule; `pass` only by default. */
  weights?: Partial<Record<Fault, number>>;
  /** Faults for the first requests, in order, before the schedule takes over. */
  script?: Fault[];
  stallMs?: number;
  port?: number;
}

export interface FlakyProxy {
  url: string;
  port: number;
  /** Faults applied so far, in request order. */
  log: Fault[];
  /** Requests that reached the server (pass and drop-response). */
  forwarded(): number;
  /** Changes the upstream (e.g. after the server restarted on another port). */
  setTarget(target: string): void;
  setWeights(weights: Partial<Record<Fault, number>>): void;
  /** Queues faults for the next requests. */
  script(faults: Fault[]): void;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFlakyProxy(options: FlakyProxyOptions): Promise<FlakyProxy> {
  const random = seededRandom(options.seed ?? 1);
  const stallMs = options.stallMs ?? 1_500;
  let target = new URL(options.target);
  let weights: Partial<Record<Fault, number>> = options.weights ?? { pass: 1 };
  const queued: Fault[] = [...(options.script ?? [])];
  const log: Fault[] = [];
  let forwarded = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const pick = (): Fault => {
    const next = queued.shift();
    if (next) return next;
    const entries = Object.entries(weights).filter(([, w]) => (w ?? 0) > 0) as Array<[Fault, number]>;
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = random() * total;
    for (const [fault, w] of entries) {
      if (r < w) return fault;
      r -= w;
    }
    return 'pass';
  };

  const json = (res: http.ServerResponse, status: number, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ meta: { error: `injected ${status}` } }));
  };

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
    onResponse: (res: http.IncomingMessage) => void,
  ) => {
    forwarded++;
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
      },
      onResponse,
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const fault = pick();
    log.push(fault);
    if (fault === 'drop-request') {
      // Let a little of the request arrive, then cut the connection mid-request.
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (fault) {
        case '500':
          return json(res, 500);
        case '429':
          return json(res, 429, { 'retry-after': '1' });
        case 'stall': {
          const t = setTimeout(() => {
            timers.delete(t);
            req.socket.destroy();
          }, stallMs);
          timers.add(t);
          return;
        }
        case 'drop-response':
          // The server commits the write; its answer never reaches the client.
          return forward(req, body, (up) => {
            up.resume();
            up.on('end', () => req.socket.destroy());
          });
        default:
          return forward(req, body, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          });
      }
    });
  };

  let server: http.Server;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = http.createServer(handler);
      server.keepAliveTimeout = 1_000;
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  const port = await listen(options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    forwarded: () => forwarded,
    setTarget(t) {
      target = new URL(t);
    },
    setWeights(w) {
      weights = w;
    },
    script(faults) {
      queued.push(...faults);
    },
    async restart() {
      await stop();
      // The port was just ours; retry briefly in case the kernel has not released it yet.
      for (let i = 0; ; i++) {
        try {
          await listen(port);
          return;
        } catch (err) {
          if (i >= 20) throw err;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    },
    close: stop,
  };
}
