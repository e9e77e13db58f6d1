import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { docsPage } from '../../ops/openapi/docs-page.js';
import { OpenApiDocument, TextBody } from '@roster/protocol';
import { buildOpenApi, undocumented, type RouteInfo } from '../../ops/openapi/openapi.js';
import type { RouteSchema } from '../route-schema.js';

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
 * `GET /openapi.json` (OpenAPI 3.1) and `GET /docs` (a readable page of it), generated from the
 * routes' own schemas. Call before the other routes are added: it collects them as fastify
 * announces them; `seal()` once they all exist (the 405 answers added afterwards are not
 * operations).
 */
export function registerOpenApi(app: FastifyInstance): {
  seal(): void;
  routes: RouteInfo[];
  /** Operations without a schema (a test keeps this empty). */
  undocumented(): string[];
} {
  const routes: RouteInfo[] = [];
  let sealed = false;
  app.addHook('onRoute', (route) => {
    if (sealed) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      routes.push({ method, url: route.url, schema: route.schema as RouteSchema | undefined });
  });
  let cached: Record<string, unknown> | undefined;
  const spec = () => (cached ??= buildOpenApi(routes, { version: serverVersion() }));

  const json: RouteSchema = { summary: 'This document (OpenAPI 3.1)', response: { 200: OpenApiDocument } };
  app.get('/openapi.json', { schema: json }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(spec()),
  );
  const page: RouteSchema = {
    summary: 'This document, readable',
    response: { 200: { content: { 'text/html': { schema: TextBody } } } },
  };
  app.get('/docs', { schema: page }, async (_request, reply) =>
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
    undocumented: () => undocumented(routes),
    seal() {
      sealed = true;
    },
  };
}
