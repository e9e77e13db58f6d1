import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { apiFamily } from './api-family.js';
import { errorBody, type WireError } from './error-body.js';
import { HttpError } from './error-handler.js';
import { hasUnreadBody } from './unread-body.js';

/** Default time a request has to arrive whole (ROSTER_REQUEST_TIMEOUT_SECONDS). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A connection that sends and receives nothing for this long is closed. */
export const IDLE_SOCKET_MS = 120_000;

const MALFORMED: Record<string, string> = {
  HPE_INVALID_CONTENT_LENGTH: 'content-length is not valid (not a number, or sent with transfer-encoding)',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'transfer-encoding and content-length cannot both be sent',
  HPE_INVALID_TRANSFER_ENCODING: 'transfer-encoding is not valid',
  HPE_INVALID_METHOD: 'the method is not a valid HTTP method',
  HPE_INVALID_EOF_STATE: 'the connection ended before the request did',
  HPE_INVALID_HEADER_TOKEN: 'a header name is not valid',
  HPE_INVALID_URL: 'the request target is not a valid URL',
};

/** What a request that never became one (Node refused it while parsing) is answered. */
export function clientErrorAnswer(code: string | undefined): WireError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      message: 'the request did not arrive whole in time (ROSTER_REQUEST_TIMEOUT_SECONDS)',
      reason: 'timeout',
    };
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, message: 'request headers are larger than 16 KB', reason: 'too_large' };
  return {
    status: 400,
    message: `malformed HTTP request: ${(code && MALFORMED[code]) ?? 'it could not be parsed'}`,
    reason: 'malformed',
  };
}

/**
 * Fastify's `clientErrorHandler`: 408, 431 and malformed requests are answered in Roster's error
 * shape (`errors[]` and `meta.error`, which every client family reads), not Fastify's. The
 * connection is half-closed after the answer and closed a moment later, so the client reads it.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = clientErrorAnswer(err.code);
  this.log.debug({ err }, `client error: ${answer.status}`);
  if (socket.writable) {
    const body = JSON.stringify(errorBody('other', answer));
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  }
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/**
 * Once the server is closing, a request that still arrives (a kept-alive connection, a pipelined
 * request) is answered 503 in its API's error shape, with `Retry-After`, and its connection closed.
 * Register before the routes (Fastify's own 503 is turned off: `return503OnClosing: false`).
 */
export function registerClosingAnswer(app: FastifyInstance): () => boolean {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // A callback hook: it runs on every request, and a promise each costs more than the check.
  app.addHook('onRequest', (_request, _reply, done) => {
    if (!closing) return done();
    done(
      new HttpError(
        503,
        'the server is shutting down: retry in a moment (or on another server)',
        undefined,
        'unavailable',
        { 'retry-after': '1', connection: 'close' },
      ),
    );
  });
  return () => closing;
}

/**
 * A request's body must arrive whole within `timeoutMs` of its headers: past it the request is
 * answered 408 in its API's error shape and its connection closed, so a client sending a byte at a
 * time holds nothing for long (Node's own `requestTimeout` stops watching once the headers are in).
 */
export function registerBodyDeadline(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('onRequest', (request, reply, done) => {
    armBodyDeadline(request.raw, reply.raw, timeoutMs);
    done();
  });
}

/** The deadline of one request's body (`registerBodyDeadline`; the Track fast lane's too). */
export function armBodyDeadline(raw: IncomingMessage, res: ServerResponse, timeoutMs: number): void {
  if (!hasUnreadBody(raw)) return;
  const timer = setTimeout(() => {
    if (raw.complete || res.headersSent) return;
    const body = JSON.stringify(
      errorBody(apiFamily(raw.url ?? '/'), clientErrorAnswer('ERR_HTTP_REQUEST_TIMEOUT')),
    );
    res.writeHead(408, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body, () => raw.socket.destroy());
  }, timeoutMs);
  timer.unref();
  const clear = () => clearTimeout(timer);
  raw.once('end', clear);
  raw.once('close', clear);
}
