import type { FastifyInstance } from 'fastify';

/**
 * A repeated query parameter (`?limit=5&limit=9`) keeps its first value, on every route, before
 * the route's schema reads the query: schemas describe each parameter as one string.
 */
export function registerFirstQueryValue(app: FastifyInstance): void {
  // A callback hook: it runs on every request, and a promise each costs more than the loop.
  app.addHook('preValidation', (request, _reply, done) => {
    const q = request.query as Record<string, unknown> | undefined;
    if (q && typeof q === 'object')
      for (const k of Object.keys(q)) if (Array.isArray(q[k])) q[k] = (q[k] as unknown[])[0];
    done();
  });
}
