import {
  PipelinesBatchBody,
  PipelinesCall,
  PipelinesSettings,
  TrackOk,
  WriteKeyParams,
} from '@roster/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documented } from '../../route-schema.js';
import type { Services } from '../../../services/services.js';
import { InvalidInputError } from '../../../lib/errors.js';
import { PATH_TYPES, type CallType, type KeyKind } from '../../../services/pipelines/pipelines-event.js';
import { Overloaded, StrictRefusal } from '../../../services/pipelines/pipelines-service.js';
import type { Workspace } from '../../../store/workspaces/workspace.js';
import { parseBasicAuth } from '../../auth.js';
import { HttpError, inputErrorStatus } from '../../error-handler.js';
import { json, ok } from '../track/respond.js';
import { registerPipelinesBody } from './body.js';
import { settingsBody, type PublicUrl } from './settings.js';

export interface PipelinesRouteOptions {
  /** ROSTER_PUBLIC_URL / --public-url: where clients reach this server (the settings' apiHost). */
  publicUrl: PublicUrl | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The write key's workspace and kind, once a Pipelines request authenticated. */
    pipelinesKey: { workspace: Workspace; kind: KeyKind } | null;
  }
}

const UNAUTHORIZED =
  'Unauthorized request: send the write key as HTTP Basic username or as writeKey in the body';

/** `pipelines:<user agent>`, as the Track routes name their sources. */
function sourceOf(request: FastifyRequest): string {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua !== '' ? `pipelines:${ua.slice(0, 200)}` : 'pipelines';
}

/**
 * The Data Pipelines API (docs/pipelines.md): `POST /v1/batch` and `/v1/b`, the six
 * calls at `/v1/<type>` and `/v1/<letter>`, `GET /v1/projects/:writeKey/settings`. Its own fastify
 * scope, so its body rules (any content type, gzip, 1 MB decompressed) touch no other route.
 */
export async function registerPipelinesRoutes(
  app: FastifyInstance,
  services: Services,
  options: PipelinesRouteOptions,
): Promise<void> {
  const { workspaces, pipelines, metrics } = services;
  await app.register(async (scope) => {
    registerPipelinesBody(scope);
    scope.decorateRequest('pipelinesKey', null);

    const refuse = (
      reason: string,
      status: number,
      message: string,
      headers: Record<string, string> = {},
    ) => {
      metrics.inc('roster_pipelines_requests_refused_total', { reason });
      return new HttpError(status, message, undefined, reason, headers);
    };

    // A key in the Authorization header is checked before the body is read: a wrong key costs
    // nothing. Without one the key must be in the body (browsers, phones), checked after parsing.
    scope.addHook('onRequest', async (request) => {
      if (request.method !== 'POST') return;
      const basic =
        parseBasicAuth(request.headers.authorization)?.user ?? bareBasic(request.headers.authorization);
      if (!basic) return;
      const found = await workspaces.authenticateWrite(basic);
      if (!found) {
        request.log.warn({ url: request.url }, 'pipelines: unknown write key refused (401)');
        throw refuse('unauthorized', 401, UNAUTHORIZED);
      }
      request.pipelinesKey = found;
    });

    const handle =
      (pathType: CallType | undefined) => async (request: FastifyRequest, reply: FastifyReply) => {
        const key = request.pipelinesKey ?? (await bodyKey(request));
        if (!key) {
          request.log.warn(
            { url: request.url },
            'pipelines: request without a valid write key refused (401)',
          );
          throw refuse('unauthorized', 401, UNAUTHORIZED);
        }
        if (request.body === undefined) throw refuse('bad_body', 400, 'request body is required');
        const strict = String(request.headers['x-strict-mode'] ?? '') === '1';
        try {
          const result = await pipelines.ingest({
            workspace: key.workspace,
            keyKind: key.kind,
            source: sourceOf(request),
            body: request.body,
            pathType,
            strict,
            bodyBytes: request.pipelinesBodyBytes,
          });
          // A single call refused by signed identify answers 403 (contracts.md); in a batch it is dropped.
          const forbidden = pathType && result.dropped.find((d) => d.reason === 'forbidden');
          if (forbidden) throw new HttpError(403, forbidden.message, undefined, 'forbidden');
          if (result.dropped.length > 0)
            request.log.info(
              { workspace: key.workspace.siteId, dropped: result.dropped.map((d) => d.message).slice(0, 5) },
              `pipelines: ${result.dropped.length} event(s) dropped (GET /v1/pipelines/errors lists them)`,
            );
          return ok(reply);
        } catch (err) {
          if (err instanceof StrictRefusal) return json(reply, 400, { meta: { errors: err.messages } });
          if (err instanceof Overloaded)
            throw refuse('overloaded', 429, 'too many requests in flight; retry later', {
              'retry-after': '1',
            });
          if (err instanceof InvalidInputError) {
            const status = inputErrorStatus(err);
            metrics.inc('roster_pipelines_requests_refused_total', {
              reason: status === 413 ? 'too_large' : 'bad_body',
            });
            if (status === 400) return json(reply, 400, { meta: { errors: [err.message] } });
          }
          throw err;
        }
      };

    /** `writeKey` in the body: at the top of a batch envelope or of a single call. */
    async function bodyKey(
      request: FastifyRequest,
    ): Promise<{ workspace: Workspace; kind: KeyKind } | undefined> {
      const body = request.body as { writeKey?: unknown } | undefined;
      const key = body && typeof body === 'object' ? body.writeKey : undefined;
      return typeof key === 'string' ? workspaces.authenticateWrite(key) : undefined;
    }

    // Documented, not validated: Segment's clients are served leniently, each event judged by ingest.
    const ok200 = { 200: TrackOk };
    for (const path of ['batch', 'b'])
      scope.post(
        `/v1/${path}`,
        documented({
          summary: `Send a batch of calls${path === 'b' ? ' (short path)' : ''}`,
          body: PipelinesBatchBody,
          response: ok200,
        }),
        handle(undefined),
      );
    for (const [path, type] of Object.entries(PATH_TYPES))
      scope.post(
        `/v1/${path}`,
        documented({
          summary: `Send one ${type} call${path.length === 1 ? ' (short path)' : ''}`,
          body: PipelinesCall,
          response: ok200,
        }),
        handle(type),
      );

    // The browser SDK's remote metrics (docs/pipelines.md "Routes"): accepted and dropped. The settings below turn
    // them off (`metrics.sampleRate: 0`); this only answers clients that send them anyway.
    scope.post(
      '/v1/m',
      documented({ summary: "The browser client's own metrics (accepted and dropped)", response: ok200 }),
      async (_request, reply) => ok(reply),
    );

    const settings = documented({
      summary: "A project's settings, as Segment's and Customer.io's clients load them",
      params: WriteKeyParams,
      response: { 200: PipelinesSettings },
      'x-auth-optional': true,
    });
    scope.get<{ Params: { writeKey: string } }>(
      '/v1/projects/:writeKey/settings',
      settings,
      async (request, reply) => {
        const found = await workspaces.authenticateWrite(request.params.writeKey);
        if (!found) throw new HttpError(404, 'no project with this write key', undefined, 'not_found');
        return json(reply, 200, settingsBody(request, request.params.writeKey, options.publicUrl));
      },
    );
  });
}

/**
 * `Authorization: Basic base64(key)` without the colon: Segment accepts it for backward
 * compatibility (docs/pipelines.md "Routes"), so Roster does too.
 */
function bareBasic(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*basic\s+([A-Za-z0-9+/_=-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return decoded === '' || decoded.includes('\u0000') ? undefined : decoded;
}
