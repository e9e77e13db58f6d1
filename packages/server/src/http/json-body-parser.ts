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
 * - strings containing U+0000 or an unpaired surrogate escape are refused with a 400: PostgreSQL
 *   can store neither in text or jsonb, and both engines must accept the same input.
 * Any other media type gets a 415.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parse = (_req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => {
    try {
      done(null, parseJsonText(body));
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, parse);
}

/**
 * A request body's JSON under the rules above (`undefined` for an empty body); throws an error with
 * `statusCode` 400 naming the problem. The Pipelines routes parse every content type with it.
 */
export function parseJsonText(body: string): unknown {
  if (body.trim() === '') return undefined;
  const problem = structuralProblem(body);
  if (problem) throw Object.assign(new Error(problem), { statusCode: 400, code: 'ROSTER_BAD_JSON' });
  try {
    return sjson.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const message = (err as Error).message.includes('prototype')
      ? 'request body contains a forbidden key (__proto__ or constructor.prototype)'
      : `request body is not valid JSON: ${(err as Error).message}`;
    throw Object.assign(new Error(message), { statusCode: 400, code: 'ROSTER_BAD_JSON' });
  }
}

/** Deeper than any real payload (App API filters allow 32 levels), far below the stack limit. */
export const MAX_JSON_DEPTH = 512;

const LONE_SURROGATE = 'request body contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff)';

/** The value of four hex digits at `at`, or -1. */
function hex4(text: string, at: number): number {
  const digits = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
}

/**
 * One pass over the raw text, outside and inside strings: too deep a nesting, a `\u0000` escape,
 * or a lone surrogate escape. (A raw NUL inside a string is invalid JSON already; raw text decoded
 * from UTF-8 holds no lone surrogates.)
 */
function structuralProblem(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        if (text.charCodeAt(i + 1) !== 0x75 /* u */) {
          i++;
          continue;
        }
        const code = hex4(text, i + 2);
        if (code === 0)
          return 'request body contains a NUL character (\\u0000), which is not allowed in strings';
        if (code >= 0xd800 && code <= 0xdbff) {
          // A high surrogate must be followed by a low one: a lone half is not Unicode text, and
          // PostgreSQL refuses it in jsonb.
          const low =
            text.charCodeAt(i + 6) === 0x5c && text.charCodeAt(i + 7) === 0x75 ? hex4(text, i + 8) : -1;
          if (low < 0xdc00 || low > 0xdfff) return LONE_SURROGATE;
          i += 11;
        } else if (code >= 0xdc00 && code <= 0xdfff) return LONE_SURROGATE;
        else i += 5;
      } else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_JSON_DEPTH) return `request body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}
