import {
  NoContent,
  TrackAnonymousEventBody,
  TrackDeliveryParams,
  TrackFormBody,
  TrackFormParams,
  TrackMergeBody,
  TrackMetricBody,
  TrackOk,
  TrackPushEventBody,
  TrackRegionResponse,
  TrackSegmentBody,
  TrackSegmentParams,
  TrackSegmentQuery,
  TrackUnsubscribeBody,
} from '@roster/protocol';
import { documented, type RouteSchema } from '../../route-schema.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../services/services.js';
import { IdentityGuard, SIGNATURE_HEADER } from '../../../services/identity/guard.js';
import { requireObject } from '../../../services/track/events.js';
import { v1 } from '../../../services/track/v1.js';
import { trackAuth, workspaceOf } from '../../auth.js';
import { SourceRateLimiter } from '../../source-rate-limit.js';
import type { TrackRouteOptions } from './index.js';
import { json, ok, sourceOf, trackErrorHandler } from './respond.js';

/**
 * The other v1 routes (docs/track-api.md §2): anonymous events, merge, manual segments, forms, metrics,
 * push events (also at the root), in-app delivery events, account region and the root unsubscribe.
 */
/** A Host that is a host name or address (and port), nothing else; else this server's own address. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * Without ROSTER_PUBLIC_URL, the region answer names the host the client reached, when it is a
 * plain host name or address: the Host header is never copied into an answer as it came.
 */
function ownOrigin(request: FastifyRequest): string {
  const host = request.host;
  if (PLAIN_HOST.test(host)) return `${request.protocol}://${host}`;
  const local = request.socket.localAddress ?? '127.0.0.1';
  const address = local.includes(':') ? `[${local}]` : local;
  return `${request.protocol}://${address}:${request.socket.localPort ?? ''}`;
}

export function registerOtherTrackRoutes(
  app: FastifyInstance,
  services: Services,
  options: TrackRouteOptions = {},
): void {
  const { track, workspaces } = services;
  const auth = { onRequest: trackAuth(workspaces), errorHandler: trackErrorHandler() };
  const limiter = new SourceRateLimiter(services.clock, options.publicRateLimit ?? 0);
  const optional = {
    onRequest: [trackAuth(workspaces, { optional: true }), limiter.hook()],
    errorHandler: trackErrorHandler(),
  };
  const src = (r: Parameters<typeof sourceOf>[0]) => sourceOf(r, 'track_v1');
  const ok200 = { 200: TrackOk };
  const open = (schema: Omit<RouteSchema, 'response'>) => ({
    ...optional,
    ...documented({ ...schema, response: ok200, 'x-auth-optional': true }),
  });
  const guard = new IdentityGuard(services.clock, services.metrics);

  app.post(
    '/api/v1/events',
    {
      ...auth,
      ...documented({ summary: 'Track an anonymous event', body: TrackAnonymousEventBody, response: ok200 }),
    },
    async (request, reply) => {
      const ws = workspaceOf(request);
      await track.execute(ws, src(request), v1.anonymousEvent(ws, request.body));
      return ok(reply);
    },
  );

  app.post(
    '/api/v1/merge_customers',
    {
      onRequest: trackAuth(workspaces),
      errorHandler: trackErrorHandler({ singular: true }),
      ...documented({ summary: 'Merge two people', body: TrackMergeBody, response: ok200 }),
    },
    async (request, reply) => {
      const ws = workspaceOf(request);
      guard.unsignable(ws, 'merging people');
      await track.execute(ws, src(request), v1.merge(ws, request.body));
      return ok(reply);
    },
  );

  for (const [suffix, add] of [
    ['add_customers', true],
    ['remove_customers', false],
  ] as const) {
    app.post<{ Params: { segment_id: string }; Querystring: { id_type?: string } }>(
      `/api/v1/segments/:segment_id/${suffix}`,
      {
        ...auth,
        ...documented({
          summary: add ? 'Add people to a manual segment' : 'Remove people from a manual segment',
          params: TrackSegmentParams,
          querystring: TrackSegmentQuery,
          body: TrackSegmentBody,
          response: ok200,
        }),
      },
      async (request, reply) => {
        const ws = workspaceOf(request);
        guard.unsignable(ws, 'changing manual segment membership');
        const write = v1.segment(ws, request.params.segment_id, request.query.id_type, request.body, add);
        await track.execute(ws, src(request), write);
        return ok(reply);
      },
    );
  }

  app.post(
    '/api/v1/forms/:form_id/submit',
    {
      ...auth,
      ...documented({
        summary: 'Submit a form',
        params: TrackFormParams,
        body: TrackFormBody,
        response: { 204: NoContent },
      }),
    },
    async (request, reply) => {
      const ws = workspaceOf(request);
      const form = v1.form(ws, request.body);
      // A form identifies by its email (or id): that identifier is the one a signature must sign.
      const header = request.headers[SIGNATURE_HEADER];
      guard.person(ws, form.identifier, typeof header === 'string' ? header : undefined, SIGNATURE_HEADER);
      await track.execute(ws, src(request), form.write);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/metrics',
    open({ summary: 'Report a delivery metric', body: TrackMetricBody }),
    async (request, reply) => {
      await track.execute(request.workspace, src(request), v1.metric(request.workspace, request.body, false));
      return ok(reply);
    },
  );

  for (const url of ['/api/v1/push/events', '/push/events', '/api/v1/cio_deliveries/events']) {
    app.post(
      url,
      open({
        summary:
          url === '/push/events'
            ? 'Report a push event (legacy path)'
            : 'Report a push event (delivered, opened, converted)',
        body: TrackPushEventBody,
      }),
      async (request, reply) => {
        await track.execute(
          request.workspace,
          src(request),
          v1.metric(request.workspace, request.body, true),
        );
        return ok(reply);
      },
    );
  }

  app.get(
    '/api/v1/accounts/region',
    { ...auth, ...documented({ summary: 'The account region', response: { 200: TrackRegionResponse } }) },
    async (request, reply) => {
      const ws = workspaceOf(request);
      return json(reply, 200, {
        url: options.publicUrl ?? ownOrigin(request),
        region: 'us',
        environment_id: ws.id,
      });
    },
  );

  app.post<{ Params: { delivery_id: string } }>(
    '/unsubscribe/:delivery_id',
    open({
      summary: 'Unsubscribe (or resubscribe) the person a delivery went to',
      params: TrackDeliveryParams,
      body: TrackUnsubscribeBody,
    }),
    async (request, reply) => {
      const body = requireObject(request.body);
      // Absent means unsubscribe, as customerio-node's default `unsubscribe(id, true)`.
      const flag =
        body.unsubscribe === undefined ? true : body.unsubscribe === true || body.unsubscribe === 'true';
      await track.unsubscribe(request.workspace, src(request), request.params.delivery_id, flag);
      return ok(reply);
    },
  );
}
