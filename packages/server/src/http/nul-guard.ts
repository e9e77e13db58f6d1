import type { FastifyInstance } from 'fastify';
import { HttpError } from './error-handler.js';

/**
 * Path parameters and query values may not contain U+0000 (`%00`): PostgreSQL refuses NUL in text,
 * so without this check the same request would be a 500 there and stored on SQLite. Refused with
 * a 400 on both engines, after authentication. (JSON bodies are checked by the body parser.)
 */
export function registerNulGuard(app: FastifyInstance): void {
  // A callback hook: it runs on every request, and a promise each costs more than the check.
  app.addHook('preValidation', (request, _reply, done) => {
    done(nulIn('path', request.params) ?? nulIn('query', request.query));
  });
}

function nulIn(where: 'path' | 'query', values: unknown): HttpError | undefined {
  if (!values || typeof values !== 'object') return undefined;
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((t) => typeof t === 'string' && t.includes('\u0000')))
      return new HttpError(400, `${where} parameter '${name}' contains a NUL character`, name, 'invalid');
  }
  return undefined;
}
