import * as protocol from '@roster/protocol';
import { apiFamily } from '../../http/api-family.js';
import type { RouteResponse, RouteSchema } from '../../http/route-schema.js';

/** A route as fastify announces it (`onRoute`). */
export interface RouteInfo {
  method: string;
  url: string;
  schema?: RouteSchema | undefined;
}

type Json = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/** Every schema `@roster/protocol` exports, by object: a schema met again is written as a `$ref`. */
function protocolNames(): Map<object, string> {
  const names = new Map<object, string>();
  for (const [name, value] of Object.entries(protocol as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null || names.has(value)) continue;
    const v = value as Json;
    if (!('type' in v || 'anyOf' in v || 'allOf' in v || 'oneOf' in v || 'properties' in v)) continue;
    names.set(value, name);
  }
  return names;
}

/** A TypeBox schema as plain JSON Schema (2020-12, which OpenAPI 3.1 uses), named parts as `$ref`s. */
function toJson(schema: unknown, names: Map<object, string>, top = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJson(s, names, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  const name = names.get(schema);
  if (name && !top) return { $ref: `#/components/schemas/${name}` };
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = toJson(v, names, false);
  return out;
}

/** The TypeBox schemas of `@roster/protocol`, as plain JSON Schema: the document's components. */
export function protocolSchemas(): Record<string, Json> {
  const names = protocolNames();
  const out: Record<string, Json> = {};
  for (const [schema, name] of names) out[name] = toJson(schema, names) as Json;
  return out;
}

type Family = 'track' | 'track_v2' | 'app' | 'pipelines' | 'ops';

function family(url: string): Family {
  switch (apiFamily(url)) {
    case 'track_v1':
      return 'track';
    case 'track_v2':
      return 'track_v2';
    case 'pipelines':
      return 'pipelines';
    case 'app':
    case 'app_send':
      return 'app';
    case 'other':
      return 'ops';
  }
}

const TAGS: Record<Family, string> = {
  track: 'Track API',
  track_v2: 'Track API',
  app: 'App API',
  pipelines: 'Pipelines API',
  ops: 'Operations',
};

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationId(method: string, url: string): string {
  return `${method}${url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;
}

/** Path or query parameters from an object schema: each property one parameter. */
function parameters(where: 'path' | 'query', schema: unknown, names: Map<object, string>): Json[] {
  const s = schema as { properties?: Record<string, Json>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, prop]) => {
    const { description, ...rest } = prop as Json & { description?: string };
    const param: Json = {
      name,
      in: where,
      required: where === 'path' || (s?.required?.includes(name) ?? false),
      schema: toJson(rest, names, false),
    };
    if (description) param.description = description;
    return param;
  });
}

function response(status: string, answer: RouteResponse, names: Map<object, string>): Json {
  const description = status === '204' ? 'Done, no content' : status === '207' ? 'Partly done' : 'Success';
  if ('content' in answer && typeof answer.content === 'object')
    return {
      description,
      content: Object.fromEntries(
        Object.entries(answer.content as Record<string, { schema: unknown }>).map(([type, c]) => [
          type,
          { schema: toJson(c.schema, names, false) },
        ]),
      ),
    };
  if (status === '204') return { description };
  return { description, content: { 'application/json': { schema: toJson(answer, names, false) } } };
}

const ERROR_SCHEMA: Record<Family, string | undefined> = {
  track: 'TrackV1Errors',
  pipelines: 'TrackV1Errors',
  track_v2: 'TrackV2Errors',
  app: 'AppErrorBody',
  ops: undefined,
};

/**
 * OpenAPI 3.1 for every route the app registered, generated from each route's fastify `schema`
 * (summary, parameters, body, success answers; see http/route-schema.ts). Error answers and
 * security come from the route's wire family. Routes without a schema are listed by
 * `undocumented()` (a test keeps that list empty) and documented from their method and path.
 */
export function buildOpenApi(
  routes: readonly RouteInfo[],
  options: { version: string; serverUrl?: string },
): Json {
  const names = protocolNames();
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (!METHODS.has(method) || route.url.includes('*')) continue;
    const key = `${method} ${route.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    (paths[openApiPath(route.url)] ??= {})[method] = operation(route, method, names);
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
        'Track API (HTTP Basic site_id:api_key; /api/v1, /api/v2) and App API (Bearer App API key; /v1), ' +
        'plus operations endpoints. Generated from the running server’s routes. Guides: docs/ in the repository.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'Track API', description: 'Writes: people, devices, events (Customer.io Track API).' },
      { name: 'App API', description: 'Reads and management (Customer.io App API subset).' },
      {
        name: 'Pipelines API',
        description: 'Segment-spec calls from Customer.io, Segment and RudderStack clients.',
      },
      { name: 'Operations', description: 'Health, metrics, this document, the dashboard.' },
    ],
    paths: sortedPaths,
    components: {
      schemas: protocolSchemas(),
      securitySchemes: {
        trackBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'site_id as user, tracking API key as password',
        },
        appBearer: { type: 'http', scheme: 'bearer', description: 'The App API key' },
        writeKeyBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'A write key as the username (or `writeKey` in the body)',
        },
        metricsBearer: { type: 'http', scheme: 'bearer', description: 'ROSTER_METRICS_TOKEN' },
      },
    },
  };
}

/** One route as an OpenAPI operation: id, summary, tags, parameters, body, answers, security. */
function operation(route: RouteInfo, method: string, names: Map<object, string>): Json {
  const fam = family(route.url);
  const s = route.schema;
  const legacyOf = route.url.startsWith('/v1/api/') ? `/v1/${route.url.slice('/v1/api/'.length)}` : undefined;
  const op: Json = {
    operationId: operationId(method, route.url),
    summary: s?.summary ?? `${route.method.toUpperCase()} ${route.url}`,
    tags: s?.tags ?? [TAGS[fam]],
  };
  const description = legacyOf ? `Same as ${legacyOf} (legacy prefix).` : s?.description;
  if (description) op.description = description;
  if (legacyOf) op.deprecated = true;

  const params = [...parameters('path', s?.params, names), ...parameters('query', s?.querystring, names)];
  // A path parameter the schema does not describe is still a parameter.
  for (const m of route.url.matchAll(/:([A-Za-z0-9_]+)/g))
    if (!params.some((p) => p.in === 'path' && p.name === m[1]))
      params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  if (params.length > 0) op.parameters = params;

  if (s?.body)
    op.requestBody = {
      // Track routes take an empty body where Customer.io does (customerio-node sends none).
      required: fam === 'app',
      content: { 'application/json': { schema: toJson(s.body, names, false) } },
    };

  op.responses = responsesOf(route, fam, names);

  const security = securityOf(route, fam);
  if (security) op.security = security;
  return op;
}

/** The route's success answers, and the errors its wire family answers with. */
function responsesOf(route: RouteInfo, fam: Family, names: Map<object, string>): Json {
  const s = route.schema;
  const responses: Json = {};
  for (const [status, answer] of Object.entries(s?.response ?? { 200: {} }))
    responses[status] = response(status, answer as RouteResponse, names);
  const error = ERROR_SCHEMA[fam];
  if (error) {
    const content = { 'application/json': { schema: { $ref: `#/components/schemas/${error}` } } };
    responses['400'] ??= { description: 'Invalid request', content };
    responses['401'] ??= { description: 'Missing or wrong credentials', content };
  }
  if (route.url === '/metrics')
    responses['401'] ??= { description: 'ROSTER_METRICS_TOKEN is set and the bearer token is wrong' };
  return responses;
}

/** How the route's wire family authenticates; undefined for open routes. */
function securityOf(route: RouteInfo, fam: Family): Json[] | undefined {
  const s = route.schema;
  if (fam === 'track' || fam === 'track_v2')
    return s?.['x-auth-optional'] ? [{}, { trackBasic: [] }] : [{ trackBasic: [] }];
  else if (fam === 'app') return [{ appBearer: [] }];
  // The write key as HTTP Basic username, or `writeKey` in the body (browsers, phones).
  else if (fam === 'pipelines') return s?.['x-auth-optional'] ? [{}] : [{ writeKeyBasic: [] }, {}];
  else if (route.url === '/metrics') return [{}, { metricsBearer: [] }];
  return undefined;
}

/** `METHOD url` of the operations that declare no schema (each route must declare one). */
export function undocumented(routes: readonly RouteInfo[]): string[] {
  return routes
    .filter((r) => METHODS.has(r.method.toLowerCase()) && !r.url.includes('*') && !r.schema)
    .map((r) => `${r.method} ${r.url}`);
}
