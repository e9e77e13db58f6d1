import type { FastifyInstance } from 'fastify';

/**
 * Browsers call the Track API directly (the browser SDK), so Track routes allow any origin, as
 * Customer.io does (`access-control-allow-origin: *`). Preflights are answered here.
 */
export function registerCors(app: FastifyInstance): void {
  // A callback hook: it runs on every answer, and a promise each costs more than two headers.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('access-control-allow-origin', '*');
    // API answers are never cached; the dashboard's hashed assets keep their long cache headers.
    if (!request.url.startsWith('/assets/'))
      reply.header('cache-control', 'no-cache, no-store, must-revalidate, max-age=0');
    done(null, payload);
  });
  app.options('/*', async (_request, reply) => {
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, PUT, POST, DELETE, PATCH, OPTIONS')
      .header('access-control-allow-headers', 'authorization, content-type, x-roster-client, x-retry-count')
      .header('access-control-max-age', '86400')
      .send();
  });
}
