import {
  IndexedAttributeBody,
  IndexedAttributeDeleteQuery,
  IndexedAttributeList,
  IndexedAttributeParams,
  IndexedAttributeResponse,
  NoContent,
} from '@roster/protocol';
import { workspaceOf } from '../../auth.js';
import {
  parseAddAttributeIndex,
  parseAttributeIndexKind,
} from '../../../services/people/attribute-index-input.js';
import { paramOf, queryOf, type AppRouteContext } from './context.js';

/**
 * Indexed person attributes (docs/app-api.md "Indexed attributes"), Roster's extension: list, add
 * (the index builds in the background: `status` goes `building` → `ready` or `failed`), remove.
 */
export function registerAttributeIndexRoutes({ app, services, route, prefixes }: AppRouteContext): void {
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/indexed_attributes`,
      route({ summary: 'List indexed person attributes', response: { 200: IndexedAttributeList } }),
      async (request) => ({
        indexed_attributes: await services.attributeIndexes.list(workspaceOf(request)),
      }),
    );

    app.post(
      `${prefix}/indexed_attributes`,
      route({
        summary: 'Index a person attribute (built in the background, without stopping writes)',
        body: IndexedAttributeBody,
        response: { 202: IndexedAttributeResponse },
      }),
      async (request, reply) => {
        const indexed = await services.attributeIndexes.add(
          workspaceOf(request),
          parseAddAttributeIndex(request.body),
        );
        return reply.code(202).send({ indexed_attribute: indexed });
      },
    );

    app.delete(
      `${prefix}/indexed_attributes/:name`,
      route({
        summary: "Remove an attribute's index (both types unless ?type= names one)",
        params: IndexedAttributeParams,
        querystring: IndexedAttributeDeleteQuery,
        response: { 204: NoContent },
      }),
      async (request, reply) => {
        const type = queryOf(request).type;
        await services.attributeIndexes.remove(
          workspaceOf(request),
          paramOf(request, 'name'),
          type === undefined ? undefined : parseAttributeIndexKind(type, 'type'),
        );
        return reply.code(204).send();
      },
    );
  }
}
