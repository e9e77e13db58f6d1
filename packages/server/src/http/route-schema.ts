import type { FastifySchema, FastifySchemaCompiler, RouteShorthandOptions } from 'fastify';
import type { TSchema } from 'typebox';

/** A success answer: a JSON schema, or a text body of another media type. */
export type RouteResponse = TSchema | { content: Record<string, { schema: TSchema }> };

/**
 * What every route declares (`schema` in its fastify options), all from `@roster/protocol`:
 * what it does, its path parameters, query string and body, and its success answers by status.
 * Error answers are the wire family's shapes (http/error-body.ts); the OpenAPI document adds them
 * by family, so a route lists only what it answers on success.
 */
export interface RouteSchema extends FastifySchema {
  summary: string;
  description?: string;
  tags?: string[];
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  response: Record<number, RouteResponse>;
  /** Routes that also answer without credentials (delivery metrics, unsubscribe links). */
  'x-auth-optional'?: boolean;
}

/**
 * The App API (and Roster's own routes): the schema validates for real, so a wrong body, query or
 * path value is a 400 naming the field before the handler runs, and the success answer is
 * serialized through its response schema (only documented fields leave the server).
 */
export function validated(schema: RouteSchema): { schema: RouteSchema } {
  return { schema };
}

/** Accepts everything as sent: the handler validates, with the wire's own messages. */
const acceptAsSent: FastifySchemaCompiler<unknown> = () => () => true;
/** Plain JSON, whatever the response schema says: the wire is the handler's, byte for byte. */
const asSent = () => (data: unknown) => JSON.stringify(data);

/**
 * The Track API: the schema documents the wire (and the OpenAPI document is made from it), but
 * neither validates nor reshapes anything. The services answer with Customer.io's exact messages,
 * which clients and their tests match on, and accept what Customer.io accepts.
 */
export function documented(schema: RouteSchema): Pick<
  RouteShorthandOptions,
  'schema' | 'validatorCompiler' | 'serializerCompiler'
> & {
  schema: RouteSchema;
} {
  return { schema, validatorCompiler: acceptAsSent, serializerCompiler: asSent };
}
