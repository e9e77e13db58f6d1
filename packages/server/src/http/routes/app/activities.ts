import {
  ActivitiesPage,
  ActivitiesQuery,
  ActivityStats,
  ActivityStatsQuery,
  CustomerActivitiesQuery,
  CustomerParams,
} from '@roster/protocol';

import { workspaceOf } from '../../auth.js';
import { parseIdType } from '../../../services/query/id-type.js';
import { pageLimit } from '../../../services/query/limit.js';
import { InvalidInputError } from '../../../lib/errors.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext, type Query } from './context.js';

function filters(q: Query) {
  return { start: q.start, limit: pageLimit(q.limit, 'activities'), type: q.type, name: q.name };
}

function bool(raw: string | undefined, field: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new InvalidInputError(field, `${field} must be true or false`);
}

/** Activity routes (docs/app-api.md "Activities"): newest first, cursor-paginated. */
export function registerActivityRoutes({ app, services, route, prefixes }: AppRouteContext): void {
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/customers/:customer_id/activities`,
      route({
        summary: "A person's activities, newest first",
        params: CustomerParams,
        querystring: CustomerActivitiesQuery,
        response: { 200: ActivitiesPage },
      }),
      async (request) =>
        services.activities.ofCustomer(
          workspaceOf(request),
          idTypeOf(request),
          paramOf(request, 'customer_id'),
          filters(queryOf(request)),
        ),
    );

    app.get(
      `${prefix}/activities/stats`,
      route({
        summary: 'Activity counts over time and the top event names',
        querystring: ActivityStatsQuery,
        response: { 200: ActivityStats },
      }),
      async (request) => services.activityStats.stats(workspaceOf(request), queryOf(request)),
    );

    app.get(
      `${prefix}/activities`,
      route({
        summary: 'Activities of the workspace, newest first',
        querystring: ActivitiesQuery,
        response: { 200: ActivitiesPage },
      }),
      async (request) => {
        const q = queryOf(request);
        const ws = workspaceOf(request);
        const customer =
          q.customer_id !== undefined && q.customer_id !== ''
            ? { idType: parseIdType(q.id_type, ws), value: q.customer_id }
            : undefined;
        return services.activities.list(ws, { ...filters(q), deleted: bool(q.deleted, 'deleted'), customer });
      },
    );
  }
}
