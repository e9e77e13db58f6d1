import { campaignView } from '../../../messaging/campaigns/campaigns.js';
import { previewTemplate } from '../../../services/push/preview.js';
import { transactionalView } from '../../../messaging/campaigns/transactional.js';
import type { Services } from '../../../services/services.js';
import { workspaceOf } from '../../auth.js';
import { paramOf, queryOf, type AppRouteContext } from '../app/context.js';

/**
 * Messaging routes (docs/messaging.md) under the App API's auth and rate limit: `/v1/send/push`,
 * transactional templates, template preview, campaigns and broadcast triggers, and the workspace
 * settings the dashboard edits (push providers, keys). See docs/messaging.md.
 */
export function registerMessagingRoutes(ctx: AppRouteContext, services: Services): void {
  const { app, guard, prefixes } = ctx;
  const opts = { preHandler: guard };
  for (const prefix of prefixes) {
    // -- transactional push (meta.error envelope: /v1/send/*) --
    app.post(`${prefix}/send/push`, opts, async (request) => {
      const answer = await services.sendPush.send(workspaceOf(request), request.body);
      services.runtime.nudge();
      return answer;
    });

    app.get(`${prefix}/transactional`, opts, async (request) => ({
      messages: (await services.transactional.list(workspaceOf(request))).map(transactionalView),
    }));
    app.post(`${prefix}/transactional`, opts, async (request) => ({
      message: transactionalView(await services.transactional.create(workspaceOf(request), request.body)),
    }));
    app.get(`${prefix}/transactional/:id`, opts, async (request) => ({
      message: transactionalView(
        await services.transactional.get(workspaceOf(request), paramOf(request, 'id')),
      ),
    }));
    app.put(`${prefix}/transactional/:id`, opts, async (request) => ({
      message: transactionalView(
        await services.transactional.update(workspaceOf(request), paramOf(request, 'id'), request.body),
      ),
    }));

    app.post(`${prefix}/templates/preview`, opts, async (request) =>
      previewTemplate(
        services.store,
        services.messaging.renderer,
        ctx.services.people,
        workspaceOf(request),
        request.body,
      ),
    );

    // -- campaigns and broadcasts --
    app.get(`${prefix}/campaigns`, opts, async (request) => ({
      campaigns: (await services.campaigns.list(workspaceOf(request))).map(campaignView),
    }));
    app.post(`${prefix}/campaigns`, opts, async (request) => ({
      campaign: campaignView(await services.campaigns.create(workspaceOf(request), request.body)),
    }));
    app.get(`${prefix}/campaigns/:id`, opts, async (request) => ({
      campaign: campaignView(await services.campaigns.get(workspaceOf(request), paramOf(request, 'id'))),
    }));
    app.put(`${prefix}/campaigns/:id`, opts, async (request) => ({
      campaign: campaignView(
        await services.campaigns.update(workspaceOf(request), paramOf(request, 'id'), request.body),
      ),
    }));
    app.post(`${prefix}/campaigns/:id/triggers`, opts, async (request) => {
      const answer = await services.broadcasts.trigger(
        workspaceOf(request),
        paramOf(request, 'id'),
        request.body,
      );
      services.runtime.nudgeBroadcasts();
      return answer;
    });
    app.get(`${prefix}/campaigns/:id/triggers/:trigger_id`, opts, async (request) => ({
      trigger: await services.broadcasts.getTrigger(
        workspaceOf(request),
        paramOf(request, 'id'),
        paramOf(request, 'trigger_id'),
      ),
    }));

    // -- workspace settings (the dashboard) --
    app.get(`${prefix}/workspace`, opts, async (request) =>
      services.workspaceSettings.view(workspaceOf(request)),
    );
    app.put(`${prefix}/workspace`, opts, async (request) =>
      services.workspaceSettings.update(workspaceOf(request), request.body),
    );
    app.post(`${prefix}/workspace/identity-secret`, opts, async (request) =>
      services.workspaceSettings.rotateIdentitySecret(workspaceOf(request), request.body),
    );
    app.post(`${prefix}/workspace/rotate-keys`, opts, async (request) =>
      services.workspaceSettings.rotateKeys(workspaceOf(request), request.body),
    );
    app.put(`${prefix}/workspace/push-providers/:kind`, opts, async (request) =>
      services.workspaceSettings.saveProvider(workspaceOf(request), paramOf(request, 'kind'), request.body),
    );
    app.delete(`${prefix}/workspace/push-providers/:kind`, opts, async (request, reply) => {
      await services.workspaceSettings.deleteProvider(
        workspaceOf(request),
        paramOf(request, 'kind'),
        queryOf(request).app_identifier ?? '',
      );
      return reply.code(204).send();
    });
  }
}
