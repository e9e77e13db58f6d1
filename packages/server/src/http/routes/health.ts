import type { FastifyInstance } from 'fastify';
import { ping } from '../../store/health.js';
import type { Store } from '../../store/store.js';

/** `GET /healthz`: 200 once the server accepts traffic and its store answers; 503 otherwise. */
export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      await ping(store.db);
      return { status: 'ok', store: store.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', store: store.dialect });
    }
  });
}
