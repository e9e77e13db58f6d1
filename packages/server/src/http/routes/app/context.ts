import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { RouteSchema } from '../../route-schema.js';
import type { AppServices } from '../../../services/app-services.js';
import { parseIdType, type IdType } from '../../../services/query/id-type.js';
import { workspaceOf } from '../../auth.js';

/** What every App API route module receives. */
export interface AppRouteContext {
  app: FastifyInstance;
  services: AppServices;
  /** Authentication, then the rate limit: before the body is read (nothing is parsed for a stranger). */
  guard: onRequestAsyncHookHandler[];
  /** A route's options: the guard, and its schema (which validates for real on the App API). */
  route(schema: RouteSchema): { onRequest: onRequestAsyncHookHandler[]; schema: RouteSchema };
  /** `/v1` and its legacy alias `/v1/api` (docs/app-api.md). */
  prefixes: readonly string[];
}

export type Query = Record<string, string | undefined>;

export function queryOf(request: FastifyRequest): Query {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const out: Query = {};
  // A repeated parameter arrives as an array: the first value wins.
  for (const [k, v] of Object.entries(q))
    out[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  return out;
}

export function paramOf(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name] ?? '';
}

export function idTypeOf(request: FastifyRequest): IdType {
  return parseIdType(queryOf(request).id_type, workspaceOf(request));
}
