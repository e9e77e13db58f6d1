import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/** Person routes (docs/app-api.md "People"): profiles, lookups, search, and a person's segments. */
export function registerCustomerRoutes({ app, services, guard, prefixes }: AppRouteContext): void {
  for (const prefix of prefixes) {
    app.get(`${prefix}/customers/:customer_id/attributes`, { preHandler: guard }, async (request) => {
      const customer = await services.people.customer(
        workspaceOf(request),
        idTypeOf(request),
        paramOf(request, 'customer_id'),
      );
      return { customer };
    });

    app.get(`${prefix}/customers`, { preHandler: guard }, async (request) => ({
      results: await services.people.byEmail(workspaceOf(request), queryOf(request).email),
    }));

    // Roster's extension for the dashboard's search box: id / email prefix, with a count.
    app.get(`${prefix}/customers/search`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.search.prefix(workspaceOf(request), q.q, q.start, pageLimit(q.limit, 'search'));
    });

    app.post(`${prefix}/customers`, { preHandler: guard }, async (request) => {
      const q = queryOf(request);
      return services.search.search(
        workspaceOf(request),
        request.body,
        q.start,
        pageLimit(q.limit, 'search'),
      );
    });

    app.post(`${prefix}/customers/attributes`, { preHandler: guard }, async (request) => ({
      customers: await services.people.customers(workspaceOf(request), idTypeOf(request), request.body),
    }));

    app.get(`${prefix}/customers/:customer_id/segments`, { preHandler: guard }, async (request) =>
      services.segments.ofCustomer(workspaceOf(request), idTypeOf(request), paramOf(request, 'customer_id')),
    );
  }
}
