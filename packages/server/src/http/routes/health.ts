import { HealthResponse } from '@roster/protocol';
import type { FastifyInstance } from 'fastify';
import type { ServerStatusService } from '../../services/server-status.js';
import type { StorageHealth } from '../storage-health.js';

/**
 * `GET /healthz`: 200 once the server accepts traffic and its store answers; 503 otherwise.
 * Its requests are logged at debug: a load balancer's probes would otherwise bury the log.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  status: ServerStatusService,
  storage?: StorageHealth,
): void {
  // Fastify logs requests at info: below debug, this route's logger drops to warn (errors still show).
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
  const level = order.indexOf(app.log.level as (typeof order)[number]);
  const logLevel = order[level >= 0 && level < 2 ? level : Math.max(level, 3)]!;
  const schema = {
    summary: 'Health: 200 when the store answers, 503 when it does not',
    response: { 200: HealthResponse, 503: HealthResponse },
  };
  app.get('/healthz', { logLevel, schema }, async (_request, reply) => {
    try {
      await status.storeAnswers();
      const since = storage?.storageFullSince;
      if (since !== undefined)
        return reply.code(503).send({
          status: 'degraded',
          store: status.engine,
          storage: 'full',
          since,
          message: 'writes are failing because the storage is full; reads still work',
        });
      return { status: 'ok', store: status.engine };
    } catch {
      return reply.code(503).send({ status: 'unavailable', store: status.engine });
    }
  });
}
