import * as protocol from '@roster/protocol';
import { ROUTE_DOCS, type RouteDoc } from './route-docs.js';

/** A route as fastify announces it (`onRoute`). */
export interface RouteInfo {
  method: string;
  url: string;
  schema?: {
    summary?: string;
    description?: string;
    tags?: string[];
    body?: unknown;
    querystring?: unknown;
    params?: unknown;
    response?: Record<string, unknown>;
  };
}

type Json = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** The TypeBox schemas of `@roster/protocol`, as plain JSON Schema (2020-12, which OpenAPI 3.1 uses). */
export function protocolSchemas(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, value] of Object.entries(protocol as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as Json;
    if (!('type' in v || 'anyOf' in v || 'allOf' in v || 'oneOf' in v || 'properties' in v)) continue;
    out[name] = JSON.parse(JSON.stringify(v)) as Json;
  }
  return out;
}

function family(url: string): 'track' | 'app' | 'ops' {
  if (url.startsWith('/api/') || url.startsWith('/push/') || url.startsWith('/unsubscribe/')) return 'track';
  if (url === '/v1' || url.startsWith('/v1/')) return 'app';
  return 'ops';
}

/** Track routes that also answer without credentials (delivery metrics, unsubscribe links). */
const OPTIONAL_AUTH = new Set([
  '/api/v1/metrics',
  '/api/v1/push/events',
  '/push/events',
  '/api/v1/cio_deliveries/events',
  '/unsubscribe/:delivery_id',
]);

function docFor(method: string, url: string): { doc: RouteDoc | undefined; legacyOf?: string } {
  const key = `${method} ${url}`;
  if (ROUTE_DOCS[key]) return { doc: ROUTE_DOCS[key] };
  if (url.startsWith('/v1/api/')) {
    const canonical = `/v1/${url.slice('/v1/api/'.length)}`;
    return { doc: ROUTE_DOCS[`${method} ${canonical}`], legacyOf: canonical };
  }
  return { doc: undefined };
}

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pathParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function schemaOrRef(name: string | undefined, schemas: Record<string, Json>): Json | undefined {
  if (!name) return undefined;
  if (!schemas[name]) throw new Error(`route docs name ${name}, which @roster/protocol does not export`);
  return ref(name);
}

/**
 * OpenAPI 3.1 for every route the app registered: from a route's fastify `schema` where it has one,
 * else from `ROUTE_DOCS` (summary, protocol schema names), else from its method and path alone.
 */
export function buildOpenApi(
  routes: readonly RouteInfo[],
  options: { version: string; serverUrl?: string },
): Json {
  const schemas = protocolSchemas();
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (!METHODS.has(method) || route.url.includes('*')) continue;
    const key = `${method} ${route.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const fam = family(route.url);
    const { doc, legacyOf } = docFor(route.method.toUpperCase(), route.url);
    const s = route.schema ?? {};
    const op: Json = {
      operationId: `${method}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: s.summary ?? doc?.summary ?? `${route.method.toUpperCase()} ${route.url}`,
      tags: s.tags ?? [fam === 'track' ? 'Track API' : fam === 'app' ? 'App API' : 'Operations'],
    };
    const description =
      s.description ?? doc?.description ?? (legacyOf ? `Same as ${legacyOf} (legacy prefix).` : undefined);
    if (description) op.description = description;

    const parameters: Json[] = pathParams(route.url).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const qs = s.querystring as { properties?: Record<string, Json>; required?: string[] } | undefined;
    if (qs?.properties) {
      for (const [name, schema] of Object.entries(qs.properties))
        parameters.push({ name, in: 'query', required: qs.required?.includes(name) ?? false, schema });
    } else {
      for (const q of doc?.query ?? [])
        parameters.push({
          name: q.name,
          in: 'query',
          required: q.required ?? false,
          description: q.description,
          schema: q.enum ? { type: 'string', enum: q.enum } : { type: 'string' },
        });
    }
    if (parameters.length > 0) op.parameters = parameters;

    const body = (s.body as Json | undefined) ?? schemaOrRef(doc?.body, schemas);
    if (body || ((method === 'post' || method === 'put') && fam !== 'ops'))
      op.requestBody = {
        required: Boolean(body),
        content: { 'application/json': { schema: body ?? { type: 'object' } } },
      };

    const responses: Json = {};
    if (s.response) {
      for (const [status, schema] of Object.entries(s.response))
        responses[status] = { description: `${status} answer`, content: { 'application/json': { schema } } };
    } else {
      const status = String(doc?.status ?? 200);
      const answer = schemaOrRef(doc?.response, schemas);
      responses[status] =
        status === '204'
          ? { description: 'Done, no content' }
          : {
              description: 'Success',
              ...(route.url === '/metrics'
                ? { content: { 'text/plain': { schema: { type: 'string' } } } }
                : route.url === '/docs' || route.url === '/'
                  ? { content: { 'text/html': { schema: { type: 'string' } } } }
                  : { content: { 'application/json': { schema: answer ?? { type: 'object' } } } }),
            };
    }
    const error =
      fam === 'app'
        ? ref('AppErrorBody')
        : route.url.startsWith('/api/v2/')
          ? ref('TrackV2Errors')
          : fam === 'track'
            ? ref('TrackV1Errors')
            : undefined;
    if (error) {
      responses['400'] ??= {
        description: 'Invalid request',
        content: { 'application/json': { schema: error } },
      };
      responses['401'] ??= {
        description: 'Missing or wrong credentials',
        content: { 'application/json': { schema: error } },
      };
    }
    if (route.url === '/metrics')
      responses['401'] ??= { description: 'ROSTER_METRICS_TOKEN is set and the bearer token is wrong' };
    op.responses = responses;

    if (fam === 'track')
      op.security = OPTIONAL_AUTH.has(route.url) ? [{}, { trackBasic: [] }] : [{ trackBasic: [] }];
    else if (fam === 'app') op.security = [{ appBearer: [] }];
    else if (route.url === '/metrics') op.security = [{}, { metricsBearer: [] }];

    const p = openApiPath(route.url);
    (paths[p] ??= {})[method] = op;
  }
  const sortedPaths = Object.fromEntries(
    Object.keys(paths)
      .sort()
      .map((k) => [k, paths[k]]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Roster',
      version: options.version,
      summary: 'Self-hosted, Customer.io-compatible people identification',
      description:
        'Track API (HTTP Basic site_id:api_key; `/api/v1`, `/api/v2`) and App API (Bearer App API key; `/v1`), ' +
        'plus operations endpoints. Generated from the running server’s routes.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'Track API', description: 'Writes: people, devices, events (Customer.io Track API).' },
      { name: 'App API', description: 'Reads and management (Customer.io App API subset).' },
      { name: 'Operations', description: 'Health, metrics, this document, the dashboard.' },
    ],
    paths: sortedPaths,
    components: {
      schemas,
      securitySchemes: {
        trackBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'site_id as user, tracking API key as password',
        },
        appBearer: { type: 'http', scheme: 'bearer', description: 'The App API key' },
        metricsBearer: { type: 'http', scheme: 'bearer', description: 'ROSTER_METRICS_TOKEN' },
      },
    },
  };
}
