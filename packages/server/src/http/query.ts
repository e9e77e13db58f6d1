import type { FastifyInstance } from 'fastify';

/**
 * A repeated query parameter (`?limit=5&limit=9`) keeps its first value, on every route, before
 * the route's schema reads the query: schemas describe each parameter as one string.
 */
export function registerFirstQueryValue(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const q = request.query as Record<string, unknown> | undefined;
    if (!q || typeof q !== 'object') return;
    for (const [k, v] of Object.entries(q)) if (Array.isArray(v)) q[k] = v[0];
  });
}
