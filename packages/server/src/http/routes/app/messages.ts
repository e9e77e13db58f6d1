import {
  AppMessageResponse,
  CustomerParams,
  MessageParams,
  MessagesPage,
  MessagesQuery,
} from '@roster/protocol';

import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/** Message read-back (docs/app-api.md "Messages"): one delivery per message, newest first. */
export function registerMessageRoutes({ app, services, route, prefixes }: AppRouteContext): void {
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/messages/:message_id`,
      route({ summary: 'A message', params: MessageParams, response: { 200: AppMessageResponse } }),
      async (request) => services.messages.get(workspaceOf(request), paramOf(request, 'message_id')),
    );

    app.get(
      `${prefix}/messages`,
      route({
        summary: 'Messages, newest first',
        querystring: MessagesQuery,
        response: { 200: MessagesPage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.messages.list(workspaceOf(request), q, pageLimit(q.limit, 'messages'));
      },
    );

    app.get(
      `${prefix}/customers/:customer_id/messages`,
      route({
        summary: 'Messages sent to a person, newest first',
        params: CustomerParams,
        querystring: MessagesQuery,
        response: { 200: MessagesPage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.messages.ofCustomer(
          workspaceOf(request),
          idTypeOf(request),
          paramOf(request, 'customer_id'),
          q,
          pageLimit(q.limit, 'messages'),
        );
      },
    );
  }
}
