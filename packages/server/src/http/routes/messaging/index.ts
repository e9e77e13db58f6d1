import {
  BroadcastTriggerBody,
  BroadcastTriggerCreated,
  BroadcastTriggerResponse,
  CampaignList,
  CampaignResponse,
  CampaignWriteBody,
  IdParams,
  IdentitySecretBody,
  IdentitySecretResponse,
  NoContent,
  ProviderDeleteQuery,
  ProviderParams,
  PushProviderBody,
  RotateKeysBody,
  RotateKeysResponse,
  SendPushBody,
  SendPushResponse,
  TemplatePreviewBody,
  TemplatePreviewResponse,
  WebhookActionPreviewBody,
  WebhookActionPreviewResponse,
  WebhookTestSendBody,
  WebhookTestSendResponse,
  TransactionalList,
  TransactionalResponse,
  TransactionalWriteBody,
  TriggerParams,
  WorkspaceUpdateBody,
  WorkspaceView,
} from '@roster/protocol';
import { Type } from 'typebox';
import { campaignView } from '../../../messaging/campaigns/campaigns.js';
import { transactionalView } from '../../../messaging/campaigns/transactional.js';
import { parseTransactionalWrite } from '../../../messaging/campaigns/transactional-input.js';
import { parseBroadcastTrigger } from '../../../messaging/campaigns/broadcast-input.js';
import { parseCampaignWrite } from '../../../messaging/campaigns/campaign-input.js';
import { parseSendPush } from '../../../services/push/send-push-input.js';
import {
  parseTemplatePreview,
  parseWebhookPreview,
  parseWebhookTestSend,
} from '../../../services/push/preview-input.js';
import type { Services } from '../../../services/services.js';
import {
  parseKeyRotation,
  parseProviderBody,
  parseSecretRotation,
  parseWorkspaceUpdate,
} from '../../../services/workspace-settings-input.js';
import { workspaceOf } from '../../auth.js';
import { paramOf, queryOf, type AppRouteContext } from '../app/context.js';

/**
 * Messaging routes (docs/messaging.md) under the App API's auth and rate limit: `/v1/send/push`,
 * transactional templates, template preview, campaigns and broadcast triggers, and the workspace
 * settings the dashboard edits (push providers, keys). See docs/messaging.md.
 */
export function registerMessagingRoutes(ctx: AppRouteContext, services: Services): void {
  registerSendRoutes(ctx, services);
  registerTransactionalRoutes(ctx, services);
  registerCampaignRoutes(ctx, services);
  registerCampaignActionRoutes(ctx, services);
  registerWorkspaceRoutes(ctx, services);
}

/** `/v1/send/push` and template preview. */
function registerSendRoutes(ctx: AppRouteContext, services: Services): void {
  const { app, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    // -- transactional push (meta.error envelope: /v1/send/*) --
    app.post(
      `${prefix}/send/push`,
      route({
        summary: 'Send a transactional push',
        body: SendPushBody,
        response: { 200: SendPushResponse },
      }),
      async (request) =>
        services.sendPush.send(
          workspaceOf(request),
          parseSendPush(request.body, workspaceOf(request).identifierMode),
        ),
    );

    app.post(
      `${prefix}/templates/preview`,
      route({
        summary: 'Render a push template for one person (nothing is sent)',
        body: TemplatePreviewBody,
        response: { 200: TemplatePreviewResponse },
      }),
      async (request) =>
        services.templatePreview.preview(
          workspaceOf(request),
          parseTemplatePreview(request.body, workspaceOf(request)),
        ),
    );
  }
}

/** Transactional push messages: list, create, read, update. */
function registerTransactionalRoutes(ctx: AppRouteContext, services: Services): void {
  const { app, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/transactional`,
      route({ summary: 'Transactional push messages', response: { 200: TransactionalList } }),
      async (request) => ({
        messages: (await services.transactional.list(workspaceOf(request))).map(transactionalView),
      }),
    );
    app.post(
      `${prefix}/transactional`,
      route({
        summary: 'Create a transactional push message',
        body: TransactionalWriteBody,
        response: { 200: TransactionalResponse },
      }),
      async (request) => ({
        message: transactionalView(
          await services.transactional.create(workspaceOf(request), parseTransactionalWrite(request.body)),
        ),
      }),
    );
    app.get(
      `${prefix}/transactional/:id`,
      route({
        summary: 'A transactional push message',
        params: IdParams,
        response: { 200: TransactionalResponse },
      }),
      async (request) => ({
        message: transactionalView(
          await services.transactional.get(workspaceOf(request), paramOf(request, 'id')),
        ),
      }),
    );
    app.put(
      `${prefix}/transactional/:id`,
      route({
        summary: 'Update a transactional push message',
        params: IdParams,
        body: TransactionalWriteBody,
        response: { 200: TransactionalResponse },
      }),
      async (request) => ({
        message: transactionalView(
          await services.transactional.update(
            workspaceOf(request),
            paramOf(request, 'id'),
            parseTransactionalWrite(request.body),
          ),
        ),
      }),
    );
  }
}

/** Campaigns and broadcasts: list, read with counts, create, update. */
function registerCampaignRoutes(ctx: AppRouteContext, services: Services): void {
  const { app, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    // -- campaigns and broadcasts --
    app.get(
      `${prefix}/campaigns`,
      route({ summary: 'Campaigns and broadcasts', response: { 200: CampaignList } }),
      async (request) => ({
        campaigns: (await services.campaigns.list(workspaceOf(request))).map(campaignView),
      }),
    );
    app.post(
      `${prefix}/campaigns`,
      route({
        summary: 'Create a campaign or broadcast',
        body: CampaignWriteBody,
        response: { 200: CampaignResponse },
      }),
      async (request) => ({
        campaign: campaignView(
          await services.campaigns.create(workspaceOf(request), parseCampaignWrite(request.body)),
        ),
      }),
    );
    app.get(
      `${prefix}/campaigns/:id`,
      route({
        summary: 'A campaign, with its delivery counts',
        params: IdParams,
        response: { 200: CampaignResponse },
      }),
      async (request) => ({
        campaign: campaignView(await services.campaigns.get(workspaceOf(request), paramOf(request, 'id'))),
      }),
    );
    app.put(
      `${prefix}/campaigns/:id`,
      route({
        summary: 'Update a campaign',
        params: IdParams,
        body: CampaignWriteBody,
        response: { 200: CampaignResponse },
      }),
      async (request) => ({
        campaign: campaignView(
          await services.campaigns.update(
            workspaceOf(request),
            paramOf(request, 'id'),
            parseCampaignWrite(request.body),
          ),
        ),
      }),
    );
  }
}

/** A campaign's webhook action (preview, test send) and its broadcast triggers. */
function registerCampaignActionRoutes(ctx: AppRouteContext, services: Services): void {
  const { app, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    app.post(
      `${prefix}/campaigns/webhook/preview`,
      route({
        summary: 'Render a campaign webhook action for one person (nothing is sent)',
        body: WebhookActionPreviewBody,
        response: { 200: WebhookActionPreviewResponse },
      }),
      async (request) =>
        services.campaignWebhooks.preview(
          workspaceOf(request),
          parseWebhookPreview(request.body, workspaceOf(request)),
        ),
    );
    app.post(
      `${prefix}/campaigns/:id/test-send`,
      route({
        summary: "Send a campaign's webhook action once, for one person",
        params: IdParams,
        body: WebhookTestSendBody,
        response: { 200: WebhookTestSendResponse },
      }),
      async (request) =>
        services.campaignWebhooks.testSend(
          workspaceOf(request),
          paramOf(request, 'id'),
          parseWebhookTestSend(request.body, workspaceOf(request)),
        ),
    );
    app.post(
      `${prefix}/campaigns/:id/triggers`,
      route({
        summary: 'Trigger a broadcast',
        params: IdParams,
        body: Type.Union([BroadcastTriggerBody, Type.Null()]),
        response: { 200: BroadcastTriggerCreated },
      }),
      async (request) =>
        services.broadcasts.trigger(
          workspaceOf(request),
          paramOf(request, 'id'),
          parseBroadcastTrigger(request.body),
        ),
    );
    app.get(
      `${prefix}/campaigns/:id/triggers/:trigger_id`,
      route({
        summary: "A broadcast trigger's progress",
        params: TriggerParams,
        response: { 200: BroadcastTriggerResponse },
      }),
      async (request) => ({
        trigger: await services.broadcasts.getTrigger(
          workspaceOf(request),
          paramOf(request, 'id'),
          paramOf(request, 'trigger_id'),
        ),
      }),
    );
  }
}

/** The workspace settings the dashboard edits: name, settings, keys, push providers. */
function registerWorkspaceRoutes(ctx: AppRouteContext, services: Services): void {
  const { app, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    // -- workspace settings (the dashboard) --
    app.get(
      `${prefix}/workspace`,
      route({ summary: 'The workspace: settings and push providers', response: { 200: WorkspaceView } }),
      async (request) => services.workspaceSettings.view(workspaceOf(request)),
    );
    app.put(
      `${prefix}/workspace`,
      route({
        summary: "Change the workspace's name, identifier mode or settings",
        body: WorkspaceUpdateBody,
        response: { 200: WorkspaceView },
      }),
      async (request) =>
        services.workspaceSettings.update(workspaceOf(request), parseWorkspaceUpdate(request.body)),
    );
    app.post(
      `${prefix}/workspace/identity-secret`,
      route({
        summary: 'Make a new identity secret for signed identify (shown once)',
        body: Type.Union([IdentitySecretBody, Type.Null()]),
        response: { 200: IdentitySecretResponse },
      }),
      async (request) =>
        services.workspaceSettings.rotateIdentitySecret(
          workspaceOf(request),
          parseSecretRotation(request.body),
        ),
    );
    app.post(
      `${prefix}/workspace/rotate-keys`,
      route({
        summary: 'Replace the tracking and/or App API key (the new keys are shown once)',
        body: RotateKeysBody,
        response: { 200: RotateKeysResponse },
      }),
      async (request) =>
        services.workspaceSettings.rotateKeys(workspaceOf(request), parseKeyRotation(request.body)),
    );
    app.put(
      `${prefix}/workspace/push-providers/:kind`,
      {
        ...route({
          summary: 'Configure a push provider',
          params: ProviderParams,
          body: PushProviderBody,
          response: { 200: WorkspaceView },
        }),
        // A PUT without a body is an empty configuration: that is how the development `log`
        // provider is turned on (docs/messaging.md "Send your first push"); the body schema
        // still validates whatever is sent.
        preValidation: async (request: { body: unknown }) => {
          request.body ??= {};
        },
      },
      async (request) =>
        services.workspaceSettings.saveProvider(
          workspaceOf(request),
          parseProviderBody(paramOf(request, 'kind'), request.body),
        ),
    );
    app.delete(
      `${prefix}/workspace/push-providers/:kind`,
      route({
        summary: 'Remove a push provider',
        params: ProviderParams,
        querystring: ProviderDeleteQuery,
        response: { 204: NoContent },
      }),
      async (request, reply) => {
        await services.workspaceSettings.deleteProvider(
          workspaceOf(request),
          paramOf(request, 'kind'),
          queryOf(request).app_identifier ?? '',
        );
        return reply.code(204).send();
      },
    );
  }
}
