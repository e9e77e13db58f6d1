import { PageQuery, PipelinesErrorsPage } from '@roster/protocol';
import type { PipelinesService } from '../../../services/pipelines/pipelines-service.js';
import { pageLimit } from '../../../services/query/limit.js';
import { workspaceOf } from '../../auth.js';
import { queryOf, type AppRouteContext } from './context.js';

/**
 * `GET /v1/pipelines/errors`: the events the Pipelines API dropped or only noted (newest first,
 * the last 1000 per workspace), so what a permissive `200 {}` hid is visible. `?start=` is the
 * previous page's `next`.
 */
export function registerPipelinesErrorRoutes(
  { app, route, prefixes }: AppRouteContext,
  pipelines: PipelinesService,
): void {
  for (const prefix of prefixes)
    app.get(
      `${prefix}/pipelines/errors`,
      route({
        summary: 'Events the Pipelines API dropped or only noted, newest first',
        querystring: PageQuery,
        response: { 200: PipelinesErrorsPage },
      }),
      async (request) => {
        const q = queryOf(request);
        const limit = pageLimit(q.limit, 'pipelinesErrors');
        const rows = await pipelines.errors(workspaceOf(request), limit, q.start || undefined);
        return {
          errors: rows.map((r) => ({
            id: r.id,
            received_at: r.received_at,
            type: r.type,
            message_id: r.message_id,
            reason: r.reason,
            message: r.message,
            source: r.source,
            event: r.event,
          })),
          next: rows.length === limit ? rows[rows.length - 1]!.id : '',
        };
      },
    );
}
