import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';

/**
 * JSON bodies, parsed so that:
 * - an empty body is accepted (customerio-node sends none on `identify(id, null)`, Ruby none on
 *   suppress) and reaches routes as `undefined`;
 * - `__proto__` and `constructor.prototype` keys are refused with a 400 instead of ever reaching
 *   an object's prototype;
 * - `text/plain` is read as JSON too, because browsers' `sendBeacon` can only send that.
 * Any other media type gets a 415.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parse = (_req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => {
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, sjson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      const message = (err as Error).message.includes('prototype')
        ? 'request body contains a forbidden key (__proto__ or constructor.prototype)'
        : `request body is not valid JSON: ${(err as Error).message}`;
      done(Object.assign(new Error(message), { statusCode: 400, code: 'ROSTER_BAD_JSON' }));
    }
  };
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, parse);
}
