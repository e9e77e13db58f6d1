import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { docsPage } from '../../ops/openapi/docs-page.js';
import { buildOpenApi, type RouteInfo } from '../../ops/openapi/openapi.js';

function serverVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * `GET /openapi.json` (OpenAPI 3.1) and `GET /docs` (a readable page of it). Call before the other
 * routes are added: it collects them as fastify announces them; `seal()` once they all exist (the
 * 405 answers added afterwards are not operations).
 */
export function registerOpenApi(app: FastifyInstance): { seal(): void; routes: RouteInfo[] } {
  const routes: RouteInfo[] = [];
  let sealed = false;
  app.addHook('onRoute', (route) => {
    if (sealed) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      routes.push({ method, url: route.url, schema: route.schema as RouteInfo['schema'] });
  });
  let cached: Record<string, unknown> | undefined;
  const spec = () => (cached ??= buildOpenApi(routes, { version: serverVersion() }));

  app.get('/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(spec()),
  );
  app.get('/docs', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      )
      .send(docsPage(spec())),
  );
  return {
    routes,
    seal() {
      sealed = true;
    },
  };
}
