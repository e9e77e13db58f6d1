import type { FastifyInstance } from 'fastify';
import { HttpError } from './error-handler.js';

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'] as const;

/**
 * Answers 405 (JSON, with `Allow`) for a path that exists under another method, instead of
 * Fastify's 404. Collects routes as they are added; call `finish()` after all routes exist.
 */
export function trackRoutesForMethodNotAllowed(app: FastifyInstance): { finish(): void } {
  const byUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = byUrl.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    byUrl.set(route.url, set);
  });
  return {
    finish() {
      for (const [url, methods] of [...byUrl]) {
        const missing = METHODS.filter((m) => !methods.has(m));
        if (missing.length === 0) continue;
        const allow = METHODS.filter((m) => methods.has(m)).join(', ');
        app.route({
          method: missing,
          url,
          handler: async (request) => {
            throw new HttpError(
              405,
              `method ${request.method} is not allowed here; use ${allow}`,
              undefined,
              'method_not_allowed',
              { allow },
            );
          },
        });
      }
    },
  };
}
