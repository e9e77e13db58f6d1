import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '../../../lib/errors.js';
import { ValidationErrors } from '../../../services/track/limits.js';
import { apiFamily } from '../../api-family.js';
import { answerError, inputErrorStatus } from '../../error-handler.js';

/** Track's success body: `{}` and a newline, `application/json; charset=utf-8` (docs/track-api.md §1). */
export function ok(reply: FastifyReply): FastifyReply {
  return reply.code(200).type('application/json; charset=utf-8').send('{}\n');
}

export function json(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * Where a write came from, for the activity history: `sdk:<X-Roster-Client>` for Roster's SDK,
 * otherwise `track_v1` / `track_v2` with the client's User-Agent.
 */
export function sourceOf(request: { headers: IncomingHttpHeaders }, family: 'track_v1' | 'track_v2'): string {
  const sdk = request.headers['x-roster-client'];
  if (typeof sdk === 'string' && sdk !== '') return `sdk:${sdk.slice(0, 200)}`;
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua !== '' ? `${family}:${ua.slice(0, 200)}` : family;
}

/** The wire entries of a Track v2 error: one per message. */
export function v2Errors(err: InvalidInputError): Array<{ reason: string; field: string; message: string }> {
  const messages = err instanceof ValidationErrors ? err.messages : [err.message];
  return messages.map((message) => ({ reason: err.reason, field: err.field, message }));
}

/**
 * Route-level error handler for Track routes: several validation messages become Customer.io's
 * `meta.errors` list (v1) or `errors` entries (v2); merge answers a singular `meta.error`
 * (docs/track-api.md §1); everything else takes the shared path.
 */
export function trackErrorHandler(options: { singular?: boolean } = {}) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const body =
      err instanceof InvalidInputError && inputErrorStatus(err) === 400
        ? trackBody(err, request, options)
        : null;
    if (body) json(reply, 400, body);
    else answerError(request, reply, err);
  };
}

/** The Track wire body of a 400, or null when the shared shape applies. */
function trackBody(
  err: InvalidInputError,
  request: FastifyRequest,
  options: { singular?: boolean },
): unknown {
  if (apiFamily(request.url) === 'track_v2') return { errors: v2Errors(err) };
  if (options.singular) return { meta: { error: err.message } };
  if (err instanceof ValidationErrors) return { meta: { errors: err.messages } };
  return null;
}
