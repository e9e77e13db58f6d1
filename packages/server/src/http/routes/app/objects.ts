import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { parseObjectIdType } from '../../../services/objects/objects-read.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/** Object routes (docs/objects.md): Customer.io's object reads plus Roster's type naming and history. */
export function registerObjectRoutes({ app, services, guard, prefixes }: AppRouteContext): void {
  for (const prefix of prefixes) {
    app.get(`${prefix}/object_types`, { preHandler: guard }, async (request) =>
      services.objects.types(workspaceOf(request)),
    );
    app.post(`${prefix}/object_types`, { preHandler: guard }, async (request) =>
      services.objectTypes.create(workspaceOf(request), request.body),
    );
    app.put(`${prefix}/object_types/:object_type_id`, { preHandler: guard }, async (request) =>
      services.objectTypes.rename(workspaceOf(request), paramOf(request, 'object_type_id'), request.body),
    );

    app.post(`${prefix}/objects`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.objects.find(
        workspaceOf(request),
        request.body,
        q.start,
        pageLimit(q.limit, 'objects'),
      );
    });

    const object = (request: Parameters<typeof paramOf>[0]) =>
      [
        workspaceOf(request),
        paramOf(request, 'object_type_id'),
        paramOf(request, 'object_id'),
        parseObjectIdType(queryOf(request).id_type),
      ] as const;

    app.get(
      `${prefix}/objects/:object_type_id/:object_id/attributes`,
      { preHandler: guard },
      async (request) => services.objects.attributes(...object(request)),
    );
    app.get(
      `${prefix}/objects/:object_type_id/:object_id/relationships`,
      { preHandler: guard },
      async (request) => {
        const q = queryOf(request);
        return services.objects.relationships(
          ...object(request),
          q.start,
          pageLimit(q.limit, 'relationships'),
        );
      },
    );
    app.get(
      `${prefix}/objects/:object_type_id/:object_id/activities`,
      { preHandler: guard },
      async (request) => {
        const q = queryOf(request);
        return services.objects.activities(...object(request), q.start, pageLimit(q.limit, 'activities'));
      },
    );

    app.get(`${prefix}/customers/:customer_id/relationships`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.objects.ofCustomer(
        workspaceOf(request),
        idTypeOf(request),
        paramOf(request, 'customer_id'),
        q.start,
        pageLimit(q.limit, 'relationships'),
      );
    });
  }
}
