import type { FastifyInstance } from 'fastify';
import sjson from 'secure-json-parse';

/**
 * JSON bodies, parsed so that:
 * - an empty body is accepted (customerio-node sends none on `identify(id, null)`, Ruby none on
 *   suppress) and reaches routes as `undefined`;
 * - `__proto__` and `constructor.prototype` keys are refused with a 400 instead of ever reaching
 *   an object's prototype;
 * - `text/plain` is read as JSON too, because browsers' `sendBeacon` can only send that.
 * - documents nested deeper than {@link MAX_JSON_DEPTH} levels are refused with a 400: code that
 *   walks them (JSON.stringify, validators) would otherwise overflow the stack and answer a 500;
 * - strings containing U+0000 are refused with a 400: PostgreSQL can store NUL neither in text nor
 *   in jsonb, and both engines must accept the same input.
 * Any other media type gets a 415.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parse = (_req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => {
    if (body.trim() === '') return done(null, undefined);
    const problem = structuralProblem(body);
    if (problem) return done(Object.assign(new Error(problem), { statusCode: 400, code: 'ROSTER_BAD_JSON' }));
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

/** Deeper than any real payload (App API filters allow 32 levels), far below the stack limit. */
export const MAX_JSON_DEPTH = 512;

/**
 * One pass over the raw text, outside and inside strings: too deep a nesting, or a `\u0000`
 * escape. (A raw NUL inside a string is invalid JSON already.)
 */
function structuralProblem(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) === 0x75 /* u */ && text.startsWith('0000', i + 2))
          return 'request body contains a NUL character (\\u0000), which is not allowed in strings';
        i++;
      } else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_JSON_DEPTH) return `request body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}
