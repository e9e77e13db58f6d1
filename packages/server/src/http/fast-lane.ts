import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TrackWrite } from '../services/track/context.js';
import type { TrackService } from '../services/track/track-service.js';
import type { WorkspaceService } from '../services/workspaces.js';
import type { Workspace } from '../store/workspaces/workspace.js';
import { parseBasicAuth } from './auth.js';
import { armBodyDeadline } from './connections.js';
import { parseJsonText } from './json-body-parser.js';
import type { RequestRecorder } from './routes/metrics.js';
import { sourceOf } from './routes/track/respond.js';

/** A Track v1 person route the lane answers: `/api/v1/customers/<identifier><suffix>`. */
export interface LaneRoute {
  method: 'PUT' | 'POST';
  /** What follows the identifier: '' (identify), '/devices' or '/events'. */
  suffix: string;
  /** Fastify's pattern of the same route: the `route` label of the request metrics. */
  pattern: string;
  /** The write, exactly as the Fastify route's handler makes it (it may throw: Fastify answers then). */
  write(ws: Workspace, identifier: string, body: unknown): TrackWrite;
}

/** A request the lane may answer: its route and the identifier in its path. */
interface LaneMatch {
  route: LaneRoute;
  identifier: string;
}

export interface FastLaneOptions {
  workspaces: WorkspaceService;
  track: TrackService;
  /** The largest body Fastify would accept (`bodyLimit`). */
  bodyLimit: number;
  requestTimeoutMs: number;
  closing: () => boolean;
  record: RequestRecorder;
  /** The server's request ids (Fastify's `genReqId`): one sequence for both paths. */
  requestId: () => string;
  /** A write succeeded (`StorageHealth.wrote`: `/healthz` stops reporting a full store). */
  wrote: () => void;
}

/** Fastify's request ids: `req-<n in base 36>`, kept below V8's small-integer limit. */
export function requestIdSequence(): () => string {
  let next = 0;
  return () => {
    next = (next + 1) & 0x7fffffff;
    return `req-${next.toString(36)}`;
  };
}

const PREFIX = '/api/v1/customers/';
/** A body the lane read, handed to Fastify when the lane does not answer the request itself. */
const READ_BODY = Symbol('roster.fastLaneBody');
type WithReadBody = IncomingMessage & { [READ_BODY]?: Buffer };

/** The router's `maxParamLength` (app.ts): a longer identifier is Fastify's to refuse. */
const MAX_PARAM_LENGTH = 2048;
/** An identifier the router takes as written: no percent-encoding or character it treats apart. */
const PLAIN = /^[A-Za-z0-9._~@+=!$&'()*,:-]+$/;

const OK_BODY = '{}\n';
/** Track's success answer with the headers the Fastify routes send (respond.ts `ok`, cors.ts). */
const OK_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'access-control-allow-origin': '*',
  'cache-control': 'no-cache, no-store, must-revalidate, max-age=0',
  'content-length': String(Buffer.byteLength(OK_BODY)),
};

/**
 * The Track API's hot writes (identify, device, event) answered without Fastify's per-request machinery:
 * routing, hooks, the reply object, its serialization and its logger. A profile of identify on
 * SQLite put Fastify and the hooks at about a tenth of the server's CPU per request.
 *
 * The lane answers only the plain success: an authenticated JSON request to one of its routes
 * whose write succeeds. Everything else goes to Fastify, which answers it as it answers every
 * other request, so statuses, error bodies and headers stay the Fastify routes' own:
 * - before the body is read (another method or path, a query string, a body without
 *   `content-length` or of another media type or over the limit, a key that does not
 *   authenticate, a workspace that checks identity signatures, a server shutting down), the
 *   request is handed over untouched;
 * - after (a body that is not JSON or is refused, a write that fails and was rolled back), the
 *   body read is handed to Fastify with the request (`registerFastLaneReplay`), and Fastify
 *   parses and runs it again to give its own answer. A refused write changes nothing, so the
 *   second run answers exactly what the first would have.
 * The lane keeps the body deadline (408), the request metrics, the request log lines, the
 * success headers and `/healthz`'s storage state (a success clears a full store's `degraded`).
 */
export class TrackFastLane {
  private readonly routes: LaneRoute[];

  constructor(
    private readonly app: FastifyInstance,
    routes: readonly LaneRoute[],
    private readonly options: FastLaneOptions,
  ) {
    this.routes = [...routes];
  }

  /** Takes over the server's requests: the lane's own, or Fastify's handler for the rest. */
  install(): void {
    const server = this.app.server;
    const [fastify] = server.listeners('request') as Array<
      (req: IncomingMessage, res: ServerResponse) => void
    >;
    if (!fastify) return;
    server.removeListener('request', fastify);
    const handOver = (req: IncomingMessage, res: ServerResponse) => fastify.call(server, req, res);
    this.handOver = handOver;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const match = this.match(req);
      if (!match) return handOver(req, res);
      this.guarded(res, () => this.serve(req, res, match));
    });
  }

  /**
   * Authentication, without a promise when the workspace is in memory (the common case), then the
   * body and the write. Everything the lane does not answer itself goes to Fastify (`handOver`).
   */
  private serve(req: IncomingMessage, res: ServerResponse, match: LaneMatch): void {
    const t0 = process.hrtime.bigint();
    const creds = parseBasicAuth(req.headers.authorization);
    if (!creds) return this.handOver(req, res);
    const ws = this.options.workspaces.authenticateTrackNow(creds.user, creds.password);
    if (ws !== null) return this.admit(req, res, match, t0, ws);
    this.options.workspaces.authenticateTrack(creds.user, creds.password).then(
      (read) => this.guarded(res, () => this.admit(req, res, match, t0, read)),
      // Fastify meets the same failure and answers it.
      () => this.guarded(res, () => this.handOver(req, res)),
    );
  }

  /**
   * Runs a step of the lane. A throw is not expected (the write's own failures go to Fastify):
   * whether the write committed is not known then, so the connection is closed rather than answered.
   */
  private guarded(res: ServerResponse, step: () => void): void {
    try {
      step();
    } catch (err) {
      this.app.log.error({ err }, 'the Track fast lane failed to answer a request');
      res.destroy();
    }
  }

  /** Fastify's request handler (set by `install`). */
  private handOver: (req: IncomingMessage, res: ServerResponse) => void = () => {};

  /** The route and identifier of a request the lane may answer, from what arrived with its headers. */
  private match(req: IncomingMessage): LaneMatch | undefined {
    const { method, url, headers } = req;
    if (url === undefined || !url.startsWith(PREFIX) || method === undefined) return undefined;
    if (this.options.closing()) return undefined;
    const found = this.routeOf(method, url);
    if (!found) return undefined;
    const length = headers['content-length'];
    if (length === undefined || headers['transfer-encoding'] !== undefined) return undefined;
    if (!(Number(length) <= this.options.bodyLimit) || !isJson(headers['content-type'])) return undefined;
    const identifier = found.plain ?? this.routerIdentifier(method, url);
    if (identifier === undefined || identifier.includes('\u0000')) return undefined;
    return { route: found.route, identifier };
  }

  /** Fastify's router decodes the identifier (the same as the route would get). */
  private routerIdentifier(method: string, url: string): string | undefined {
    const found = this.app.findRoute({ method, url });
    const identifier = (found?.params as Record<string, unknown> | undefined)?.identifier;
    return typeof identifier === 'string' ? identifier : undefined;
  }

  /**
   * The lane's route for a path, and its identifier when the router would take it as written (no
   * percent-encoding, no character the router treats apart, within its parameter length).
   */
  private routeOf(method: string, url: string): { route: LaneRoute; plain: string | undefined } | undefined {
    const rest = url.slice(PREFIX.length);
    // A query, fragment or matrix part, or no identifier: Fastify decides.
    if (rest === '' || /[?#;]/.test(rest)) return undefined;
    const slash = rest.indexOf('/');
    const suffix = slash < 0 ? '' : rest.slice(slash);
    if (slash === 0) return undefined;
    const route = this.routes.find((r) => r.method === method && r.suffix === suffix);
    if (!route) return undefined;
    const raw = slash < 0 ? rest : rest.slice(0, slash);
    return { route, plain: raw.length <= MAX_PARAM_LENGTH && PLAIN.test(raw) ? raw : undefined };
  }

  /**
   * The two lines Fastify logs at `info` for each request, with a request id from the same
   * sequence; both are written when the answer is, so the first one's `time` is the answer's.
   */
  private logAnswered(req: IncomingMessage, t0: bigint): void {
    const log = this.app.log as FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };
    if (log.isLevelEnabled?.('info') !== true) return;
    const child = log.child({ reqId: this.options.requestId() });
    const view = { method: req.method, url: req.url, host: req.headers.host, ip: req.socket.remoteAddress };
    child.info({ req: view }, 'incoming request');
    const responseTime = Number(process.hrtime.bigint() - t0) / 1e6;
    child.info({ res: { statusCode: 200 }, responseTime }, 'request completed');
  }

  /** An authenticated request (or, `ws` undefined, one Fastify refuses): its body, then its write. */
  private admit(
    req: IncomingMessage,
    res: ServerResponse,
    match: LaneMatch,
    t0: bigint,
    ws: Workspace | undefined,
  ): void {
    if (!ws || checksSignatures(ws)) return this.handOver(req, res);
    armBodyDeadline(req, res, this.options.requestTimeoutMs);
    readBody(req, (body) => {
      // The client went away, or the body deadline answered: nothing more to say.
      if (body === undefined || res.headersSent) return;
      this.guarded(res, () => this.write(req, res, match, t0, ws, body));
    });
  }

  private write(
    req: IncomingMessage,
    res: ServerResponse,
    { route, identifier }: LaneMatch,
    t0: bigint,
    ws: Workspace,
    body: Buffer,
  ): void {
    const replay = () => {
      (req as WithReadBody)[READ_BODY] = body;
      this.handOver(req, res);
    };
    let written: Promise<void>;
    try {
      const write = route.write(ws, identifier, parseJsonText(body.toString('utf8')));
      written = this.options.track.execute(ws, sourceOf(req, 'track_v1'), write);
    } catch {
      return replay();
    }
    written.then(
      () => this.guarded(res, () => this.answer(req, res, route, t0)),
      () => this.guarded(res, replay),
    );
  }

  private answer(req: IncomingMessage, res: ServerResponse, route: LaneRoute, t0: bigint): void {
    this.options.wrote();
    res.writeHead(200, OK_HEADERS);
    res.end(OK_BODY);
    this.options.record(route.method, route.pattern, 200, t0);
    this.logAnswered(req, t0);
  }
}

/** `application/json`, alone or with a UTF-8 charset: what Track clients send. */
function isJson(type: string | undefined): boolean {
  if (type === undefined) return false;
  const t = type.toLowerCase();
  return t === 'application/json' || t === 'application/json; charset=utf-8';
}

/** Signed identify checks (and counts) every write: the Fastify routes do that. */
function checksSignatures(ws: Workspace): boolean {
  const mode = ws.settings.identityVerification;
  return mode === 'log' || mode === 'enforce';
}

/** The whole body, or undefined when the request ended before it arrived, to `done` (once). */
function readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  const onData = (chunk: Buffer) => chunks.push(chunk);
  const finish = (body: Buffer | undefined) => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    req.off('error', onClose);
    done(body);
  };
  const onEnd = () => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  const onClose = () => finish(undefined);
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onClose);
  req.once('error', onClose);
}

/**
 * Fastify reads a body the lane already read from what the lane kept (a preParsing hook), so a
 * request the lane hands over after reading its body is parsed and answered as any other.
 */
export function registerFastLaneReplay(app: FastifyInstance): void {
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const body = (request.raw as WithReadBody)[READ_BODY];
    if (body === undefined) return done(null, payload);
    done(null, Readable.from([body], { objectMode: false }));
  });
}
