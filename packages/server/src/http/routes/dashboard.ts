import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { TextBody } from '@roster/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteSchema } from '../route-schema.js';
import { HttpError } from '../error-handler.js';

/** `packages/dashboard/dist`, seen from `packages/server/dist/http/routes/` (and from `src/` under tsx). */
export const DEFAULT_DASHBOARD_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../dashboard/dist',
);

/** Paths that belong to an API: they keep their JSON 404s and never fall back to the dashboard. */
const API_ROOTS = ['/api', '/v1', '/push', '/unsubscribe', '/healthz', '/metrics', '/openapi.json', '/docs'];

export function isApiPath(url: string): boolean {
  // `//v1//segments` is an API path too (a client base URL ending in `/`): never the dashboard.
  const p = (url.split('?', 1)[0] ?? '').replace(/\/{2,}/g, '/');
  return API_ROOTS.some((root) => p === root || p.startsWith(`${root}/`));
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') || accept.includes('*/*') || accept === '';
}

/** The dashboard page may hold an App API key: it loads nothing from elsewhere and is never framed. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Serves the built dashboard (`packages/dashboard/dist`) at `/`: hashed assets under `/assets/`,
 * and `index.html` for any other GET that accepts HTML (client-side routes such as `/people/…`).
 * API paths keep their JSON 404s. Without a build, `/` answers a JSON hint.
 */
export async function registerDashboard(
  app: FastifyInstance,
  options: { dir?: string | undefined } = {},
): Promise<void> {
  const dir = options.dir ?? DEFAULT_DASHBOARD_DIR;
  const built = () => existsSync(path.join(dir, 'index.html'));
  if (existsSync(dir)) {
    await app.register(fastifyStatic, {
      root: dir,
      serve: false,
      decorateReply: true,
    });
    if (existsSync(path.join(dir, 'assets'))) {
      await app.register(fastifyStatic, {
        root: path.join(dir, 'assets'),
        prefix: '/assets/',
        decorateReply: false,
        index: false,
        // Asset names carry a content hash.
        immutable: true,
        maxAge: '365d',
      });
    }
  }

  const index = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .sendFile('index.html', dir);

  const schema: RouteSchema = {
    summary: 'The dashboard (a JSON hint when it is not built)',
    response: { 200: { content: { 'text/html': { schema: TextBody } } } },
  };
  app.get('/', { schema }, async (_request, reply) => {
    if (!built()) {
      return {
        name: 'roster',
        dashboard: 'not built: run `npm run build` (or `npm run build -w @roster/dashboard`)',
        docs: '/docs',
        health: '/healthz',
      };
    }
    return index(reply);
  });

  // The single-page app's own routes. Anything else answers the usual JSON 404.
  app.get('/*', async (request, reply) => {
    if (isApiPath(request.url) || !acceptsHtml(request) || !built()) {
      throw new HttpError(
        404,
        `no route for ${request.method} ${request.url.split('?')[0]}`,
        undefined,
        'not_found',
      );
    }
    return index(reply);
  });
}
