import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { parseSegmentId } from '../../../services/segments/segments-service.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/**
 * Segment routes (docs/app-api.md "Segments", docs/segments.md). Manual members are written through the Track API;
 * dynamic segments (`conditions`) are kept current by every write.
 */
export function registerSegmentRoutes({ app, services, guard, prefixes }: AppRouteContext): void {
  const segmentId = (request: Parameters<typeof paramOf>[0]) =>
    parseSegmentId(paramOf(request, 'segment_id'));
  for (const prefix of prefixes) {
    app.get(`${prefix}/segments`, { preHandler: guard }, async (request) => ({
      segments: await services.segments.list(workspaceOf(request)),
    }));

    app.post(`${prefix}/segments`, { preHandler: guard }, async (request) => ({
      segment: await services.segments.create(workspaceOf(request), request.body),
    }));

    app.post(`${prefix}/segments/count`, { preHandler: guard }, async (request) =>
      services.segments.countConditions(workspaceOf(request), request.body),
    );

    app.put(`${prefix}/segments/:segment_id`, { preHandler: guard }, async (request) => ({
      segment: await services.segments.update(workspaceOf(request), segmentId(request), request.body),
    }));

    app.get(`${prefix}/segments/:segment_id/history`, { preHandler: guard }, async (request) =>
      services.segments.history(workspaceOf(request), segmentId(request), queryOf(request).interval),
    );

    app.get(`${prefix}/segments/:segment_id/explain`, { preHandler: guard }, async (request) =>
      services.segments.explain(
        workspaceOf(request),
        segmentId(request),
        idTypeOf(request),
        queryOf(request).customer_id,
      ),
    );

    app.get(`${prefix}/segments/:segment_id`, { preHandler: guard }, async (request) => ({
      segment: await services.segments.view(workspaceOf(request), segmentId(request)),
    }));

    app.delete(`${prefix}/segments/:segment_id`, { preHandler: guard }, async (request, reply) => {
      await services.segments.delete(
        workspaceOf(request),
        segmentId(request),
        queryOf(request).dynamic === 'true',
      );
      return reply.code(204).send();
    });

    app.get(`${prefix}/segments/:segment_id/customer_count`, { preHandler: guard }, async (request) =>
      services.segments.count(workspaceOf(request), segmentId(request)),
    );

    app.get(`${prefix}/segments/:segment_id/membership`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.segments.membership(
        workspaceOf(request),
        segmentId(request),
        q.start,
        pageLimit(q.limit, 'membership'),
      );
    });

    app.get(`${prefix}/segments/:segment_id/used_by`, { preHandler: guard }, async (request) =>
      services.segments.usedBy(workspaceOf(request), segmentId(request)),
    );
  }
}
