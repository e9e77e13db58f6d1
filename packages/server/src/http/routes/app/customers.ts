import {
  CustomerParams,
  CustomerSegmentsResponse,
  CustomersAttributesBody,
  CustomersAttributesResponse,
  EmailLookupResponse,
  EmailQuery,
  GetCustomerResponse,
  IdTypeQuery,
  PageQuery,
  PeoplePage,
  PrefixSearchPage,
  PrefixSearchQuery,
  SearchCustomersBody,
} from '@roster/protocol';

import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { parseCustomerIds, parsePeopleSearch } from '../../../services/people/people-input.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/** Person routes (docs/app-api.md "People"): profiles, lookups, search, and a person's segments. */
export function registerCustomerRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/customers/:customer_id/attributes`,
      route({
        summary: "A person's profile",
        params: CustomerParams,
        querystring: IdTypeQuery,
        response: { 200: GetCustomerResponse },
      }),
      async (request) => {
        const customer = await services.people.customer(
          workspaceOf(request),
          idTypeOf(request),
          paramOf(request, 'customer_id'),
        );
        return { customer };
      },
    );

    app.get(
      `${prefix}/customers`,
      route({
        summary: 'People with an email',
        querystring: EmailQuery,
        response: { 200: EmailLookupResponse },
      }),
      async (request) => ({
        results: await services.people.byEmail(workspaceOf(request), queryOf(request).email),
      }),
    );

    // Roster's extension for the dashboard's search box: id / email prefix, with a count.
    app.get(
      `${prefix}/customers/search`,
      route({
        summary: 'People whose id or email starts with q (or whose cio_id is q), with a count',
        querystring: PrefixSearchQuery,
        response: { 200: PrefixSearchPage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.search.prefix(workspaceOf(request), q.q, q.start, pageLimit(q.limit, 'search'));
      },
    );
  }
  registerCustomerSearchRoutes(ctx);
}

/** Searching people with a filter, and several profiles at once. */
function registerCustomerSearchRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    app.post(
      `${prefix}/customers`,
      route({
        summary: 'Search people with a filter',
        querystring: PageQuery,
        body: SearchCustomersBody,
        response: { 200: PeoplePage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.search.search(
          workspaceOf(request),
          parsePeopleSearch(request.body),
          q.start,
          pageLimit(q.limit, 'search'),
        );
      },
    );

    app.post(
      `${prefix}/customers/attributes`,
      route({
        summary: 'Several profiles at once (up to 100)',
        querystring: IdTypeQuery,
        body: CustomersAttributesBody,
        response: { 200: CustomersAttributesResponse },
      }),
      async (request) => ({
        customers: await services.people.customers(
          workspaceOf(request),
          idTypeOf(request),
          parseCustomerIds(request.body),
        ),
      }),
    );

    app.get(
      `${prefix}/customers/:customer_id/segments`,
      route({
        summary: "A person's segments",
        params: CustomerParams,
        querystring: IdTypeQuery,
        response: { 200: CustomerSegmentsResponse },
      }),
      async (request) =>
        services.segments.ofCustomer(
          workspaceOf(request),
          idTypeOf(request),
          paramOf(request, 'customer_id'),
        ),
    );
  }
}
