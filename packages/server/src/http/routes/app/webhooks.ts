import {
  NoContent,
  WebhookAttemptPage,
  WebhookAttemptsQuery,
  WebhookCreateBody,
  WebhookDeliveriesQuery,
  WebhookDeliveryPage,
  WebhookDeliveryParams,
  WebhookList,
  WebhookParams,
  WebhookReplayBody,
  WebhookReplayResponse,
  WebhookResponse,
  WebhookRotateBody,
  WebhookUpdateBody,
} from '@roster/protocol';
import type { WebhookService } from '../../../messaging/webhooks/webhook-service.js';
import { workspaceOf } from '../../auth.js';
import { paramOf, queryOf, type AppRouteContext } from './context.js';

/** The id of the request's workspace. */
const ws = (request: Parameters<typeof workspaceOf>[0]) => workspaceOf(request).id;

/** Webhook subscriptions, their deliveries and attempts, replay (docs/webhooks.md "App API"). */
export function registerWebhookRoutes(
  { app, route, prefixes }: AppRouteContext,
  webhooks: WebhookService,
): void {
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/webhooks`,
      route({ summary: 'List webhook subscriptions', tags: ['Webhooks'], response: { 200: WebhookList } }),
      async (request) => ({ webhooks: await webhooks.list(ws(request)) }),
    );

    app.post(
      `${prefix}/webhooks`,
      route({
        summary: 'Create a webhook subscription (the answer shows its secret, once)',
        tags: ['Webhooks'],
        body: WebhookCreateBody,
        response: { 200: WebhookResponse },
      }),
      async (request) => ({ webhook: await webhooks.create(ws(request), request.body as WebhookCreateBody) }),
    );

    app.get(
      `${prefix}/webhooks/:id`,
      route({
        summary: 'A webhook subscription',
        tags: ['Webhooks'],
        params: WebhookParams,
        response: { 200: WebhookResponse },
      }),
      async (request) => ({ webhook: await webhooks.get(ws(request), paramOf(request, 'id')) }),
    );

    app.put(
      `${prefix}/webhooks/:id`,
      route({
        summary: 'Change a webhook subscription (fields given); enabled: true resumes a paused one',
        tags: ['Webhooks'],
        params: WebhookParams,
        body: WebhookUpdateBody,
        response: { 200: WebhookResponse },
      }),
      async (request) => ({
        webhook: await webhooks.update(
          ws(request),
          paramOf(request, 'id'),
          request.body as WebhookUpdateBody,
        ),
      }),
    );

    app.delete(
      `${prefix}/webhooks/:id`,
      route({
        summary: 'Delete a webhook subscription with its deliveries',
        tags: ['Webhooks'],
        params: WebhookParams,
        response: { 204: NoContent },
      }),
      async (request, reply) => {
        await webhooks.remove(ws(request), paramOf(request, 'id'));
        return reply.code(204).send();
      },
    );

    registerSecretAndDeliveryRoutes(app, route, prefix, webhooks);
  }
}

/** A subscription's secret rotation, its deliveries and attempts, and replays of them (`registerReplayRoutes`). */
function registerSecretAndDeliveryRoutes(
  app: AppRouteContext['app'],
  route: AppRouteContext['route'],
  prefix: string,
  webhooks: WebhookService,
): void {
  app.post(
    `${prefix}/webhooks/:id/rotate-secret`,
    route({
      summary: 'A new signing secret (shown once); the old one keeps signing during the overlap',
      tags: ['Webhooks'],
      params: WebhookParams,
      body: WebhookRotateBody,
      response: { 200: WebhookResponse },
    }),
    async (request) => ({
      webhook: await webhooks.rotateSecret(
        ws(request),
        paramOf(request, 'id'),
        ((request.body ?? {}) as WebhookRotateBody).overlap_seconds,
      ),
    }),
  );
  app.get(
    `${prefix}/webhooks/:id/deliveries`,
    route({
      summary: "A webhook subscription's deliveries, newest first",
      tags: ['Webhooks'],
      params: WebhookParams,
      querystring: WebhookDeliveriesQuery,
      response: { 200: WebhookDeliveryPage },
    }),
    async (request) => webhooks.deliveries(ws(request), paramOf(request, 'id'), queryOf(request)),
  );

  app.get(
    `${prefix}/webhooks/:id/attempts`,
    route({
      summary: "A webhook subscription's delivery attempts, newest first",
      tags: ['Webhooks'],
      params: WebhookParams,
      querystring: WebhookAttemptsQuery,
      response: { 200: WebhookAttemptPage },
    }),
    async (request) => webhooks.attempts(ws(request), paramOf(request, 'id'), queryOf(request)),
  );

  registerReplayRoutes(app, route, prefix, webhooks);
}

/** Replays: one finished delivery, or every failed one since a time. */
function registerReplayRoutes(
  app: AppRouteContext['app'],
  route: AppRouteContext['route'],
  prefix: string,
  webhooks: WebhookService,
): void {
  app.post(
    `${prefix}/webhooks/:id/deliveries/:delivery_id/replay`,
    route({
      summary: 'Send a finished delivery again (same event id)',
      tags: ['Webhooks'],
      params: WebhookDeliveryParams,
      response: { 200: WebhookReplayResponse },
    }),
    async (request) => {
      const ids = await webhooks.replayOne(
        ws(request),
        paramOf(request, 'id'),
        paramOf(request, 'delivery_id'),
      );
      return { replayed: ids.length, delivery_ids: ids };
    },
  );

  app.post(
    `${prefix}/webhooks/:id/replay`,
    route({
      summary: 'Send failed deliveries again (since a time; default the last 3 days)',
      tags: ['Webhooks'],
      params: WebhookParams,
      body: WebhookReplayBody,
      response: { 200: WebhookReplayResponse },
    }),
    async (request) => {
      const ids = await webhooks.replayFailed(
        ws(request),
        paramOf(request, 'id'),
        ((request.body ?? {}) as WebhookReplayBody).since,
      );
      return { replayed: ids.length, delivery_ids: ids };
    },
  );
}
