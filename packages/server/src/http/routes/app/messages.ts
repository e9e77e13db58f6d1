import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/** Message read-back (docs/app-api.md "Messages"): one delivery per message, newest first. */
export function registerMessageRoutes({ app, services, guard, prefixes }: AppRouteContext): void {
  for (const prefix of prefixes) {
    app.get(`${prefix}/messages/:message_id`, { preHandler: guard }, async (request) =>
      services.messages.get(workspaceOf(request), paramOf(request, 'message_id')),
    );

    app.get(`${prefix}/messages`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.messages.list(workspaceOf(request), q, pageLimit(q.limit, 'messages'));
    });

    app.get(`${prefix}/customers/:customer_id/messages`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.messages.ofCustomer(
        workspaceOf(request),
        idTypeOf(request),
        paramOf(request, 'customer_id'),
        q,
        pageLimit(q.limit, 'messages'),
      );
    });
  }
}
