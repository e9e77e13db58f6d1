import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  QueryBudgetError,
  TooLargeError,
  UnprocessableError,
} from '../lib/errors.js';
import { apiFamily } from './api-family.js';
import { errorBody, type WireError } from './error-body.js';
import { isStorageFull, STORAGE_FULL_RETRY_SECONDS } from './storage-health.js';
import { drainBody, hasUnreadBody } from './unread-body.js';

/** An HTTP-level error a route can throw: status plus the wire error fields. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly reason?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const FASTIFY_MESSAGES: Record<string, (e: FastifyError) => WireError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => ({
    status: 413,
    message: 'request body is too large',
    reason: 'too_large',
  }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => ({
    status: 415,
    message: `unsupported content type; send application/json (${e.message})`,
    reason: 'unsupported_media_type',
  }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({
    status: 400,
    message: 'content-length does not match the body',
  }),
  FST_ERR_BAD_URL: () => ({
    status: 400,
    message: 'the URL is not valid percent-encoded UTF-8',
    reason: 'invalid',
  }),
  FST_ERR_ASYNC_CONSTRAINT: () => ({ status: 500, message: 'internal error' }),
};

/**
 * A schema validation failure (App API routes validate for real) as a 400 naming the field:
 * `segment.name is required`, `query parameter id_type must be one of id, email, cio_id, phone`.
 * The pointer is relative to the body (`/segment/name`), or the parameter's name.
 */
function validationError(fe: FastifyError): WireError {
  const issue = fe.validation![0]!;
  const where = fe.validationContext ?? 'body';
  const segments = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string')
    segments.push(issue.params.missingProperty);
  const field = segments.length > 0 ? `/${segments.join('/')}` : '/';
  const name = segments.join('.');
  const subject =
    where === 'body'
      ? name || 'request body'
      : `${where === 'params' ? 'path' : 'query'} parameter ${name || '(all)'}`;
  let problem = issue.message ?? 'is not valid';
  if (issue.keyword === 'required') problem = 'is required';
  else if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues))
    problem = `must be one of ${issue.params.allowedValues.join(', ')}`;
  else if (issue.keyword === 'additionalProperties')
    problem = `has an unknown field ${String(issue.params.additionalProperty)}`;
  return {
    status: 400,
    message: `${subject} ${problem}`,
    field: where === 'body' ? field : name,
    reason: issue.keyword === 'required' ? 'required' : 'invalid',
  };
}

/**
 * The HTTP status of a refused input: the one place an error class of lib/errors.ts is given its
 * status (services say why a request is refused, never how HTTP answers it).
 */
export function inputErrorStatus(err: InvalidInputError): number {
  if (err instanceof ForbiddenError) return 403;
  if (err instanceof ConflictError) return 409;
  if (err instanceof TooLargeError) return 413;
  if (err instanceof UnprocessableError) return 422;
  return 400;
}

/** Maps any thrown error to a wire error. Unknown errors are logged and answered with a JSON 500. */
export function toWireError(
  err: unknown,
  log?: FastifyRequest['log'],
): { wire: WireError; headers: Record<string, string> } {
  if (err instanceof HttpError)
    return {
      wire: { status: err.status, message: err.message, field: err.field, reason: err.reason },
      headers: err.headers,
    };
  if (err instanceof InvalidInputError)
    return {
      wire: { status: inputErrorStatus(err), message: err.message, field: err.field, reason: err.reason },
      headers: {},
    };
  if (err instanceof QueryBudgetError)
    return {
      wire: {
        status: 503,
        message: err.message,
        reason: err.reason === 'busy' ? 'busy' : 'query_timeout',
      },
      headers: err.reason === 'busy' ? { 'retry-after': '1' } : {},
    };
  if (err instanceof NotFoundError)
    return {
      wire: { status: 404, message: err.message, field: err.field, reason: 'not_found' },
      headers: {},
    };
  const fe = err as FastifyError;
  const known = fe.code ? FASTIFY_MESSAGES[fe.code] : undefined;
  if (known) return { wire: known(fe), headers: {} };
  if (fe.validation) return { wire: validationError(fe), headers: {} };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return { wire: { status: fe.statusCode, message: fe.message }, headers: {} };
  if (isStorageFull(err)) {
    log?.error({ err }, 'storage full: a write failed for lack of space');
    return {
      wire: {
        status: 503,
        message:
          'storage is full: the server cannot write until space is freed; nothing of this request was written, retry later',
        reason: 'storage_full',
      },
      headers: { 'retry-after': String(STORAGE_FULL_RETRY_SECONDS) },
    };
  }
  log?.error({ err }, 'unhandled error');
  return { wire: { status: 500, message: 'internal error' }, headers: {} };
}

/**
 * A 404 for a person addressed by something that looks like an email while `id_type` says id: the
 * common mistake of passing an email where the client means `id_type=email`.
 */
function withHint(request: FastifyRequest, wire: WireError): WireError {
  if (wire.status !== 404) return wire;
  const customer = (request.params as Record<string, unknown> | undefined)?.customer_id;
  const idType = (request.query as Record<string, unknown> | undefined)?.id_type;
  if (typeof customer !== 'string' || !customer.includes('@')) return wire;
  if (idType !== undefined && idType !== '' && idType !== 'id') return wire;
  return {
    ...wire,
    message: `${wire.message}: no person has the id ${customer} (did you mean id_type=email?)`,
  };
}

/**
 * Answers an error in the caller's wire family. A request refused before its body was read (auth,
 * size, routing) has the rest of its body drained first, bounded, so the client reads the answer
 * instead of a connection reset.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  err: unknown,
): FastifyReply | Promise<FastifyReply> {
  const { wire: raw, headers } = toWireError(err, request.log);
  const wire = withHint(request, raw);
  const send = () =>
    reply
      .code(wire.status)
      .headers(headers)
      .type('application/json; charset=utf-8')
      .send(errorBody(apiFamily(request.url), wire));
  if (!hasUnreadBody(request.raw)) return send();
  // What is left unread is not kept: the connection closes after the answer.
  reply.header('connection', 'close');
  return drainBody(request.raw).then(send);
}

/**
 * `sendError` for the places Fastify calls without awaiting (`frameworkErrors`, a route's
 * `errorHandler`): the answer may follow a bounded drain of the body, and a failure to send it is
 * logged rather than left as an unhandled rejection.
 */
export function answerError(request: FastifyRequest, reply: FastifyReply, err: unknown): void {
  const sent = sendError(request, reply, err);
  if (sent instanceof Promise)
    sent.catch((failure: unknown) => request.log.error({ err: failure }, 'answering an error failed'));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new HttpError(
        404,
        `no route for ${request.method} ${request.url.split('?')[0]}`,
        undefined,
        'not_found',
      ),
    ),
  );
}
