import {
  CustomerPageQuery,
  CustomerParams,
  CustomerRelationshipsPage,
  FindObjectsBody,
  ObjectActivitiesPage,
  ObjectPageQuery,
  ObjectParams,
  ObjectQuery,
  ObjectRelationshipsPage,
  ObjectResponse,
  ObjectTypeList,
  ObjectTypeParams,
  ObjectTypeResponse,
  ObjectTypeWriteBody,
  ObjectsPage,
  PageQuery,
} from '@roster/protocol';
import { workspaceOf } from '../../auth.js';
import { pageLimit } from '../../../services/query/limit.js';
import { parseObjectIdType } from '../../../services/objects/objects-read.js';
import { parseFindObjects, parseObjectTypeWrite } from '../../../services/objects/object-type-input.js';
import { idTypeOf, paramOf, queryOf, type AppRouteContext } from './context.js';

/** Object routes (docs/objects.md): Customer.io's object reads plus Roster's type naming and history. */
export function registerObjectRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/object_types`,
      route({
        summary: 'List object types (with how many objects each has)',
        response: { 200: ObjectTypeList },
      }),
      async (request) => services.objects.types(workspaceOf(request)),
    );
    app.post(
      `${prefix}/object_types`,
      route({
        summary: 'Create an object type (Roster)',
        body: ObjectTypeWriteBody,
        response: { 200: ObjectTypeResponse },
      }),
      async (request) =>
        services.objectTypes.create(workspaceOf(request), parseObjectTypeWrite(request.body)),
    );
    app.put(
      `${prefix}/object_types/:object_type_id`,
      route({
        summary: 'Rename an object type (Roster)',
        params: ObjectTypeParams,
        body: ObjectTypeWriteBody,
        response: { 200: ObjectTypeResponse },
      }),
      async (request) =>
        services.objectTypes.rename(
          workspaceOf(request),
          paramOf(request, 'object_type_id'),
          parseObjectTypeWrite(request.body),
        ),
    );

    app.post(
      `${prefix}/objects`,
      route({
        summary: "Find a type's objects by filter (all of them without one)",
        querystring: PageQuery,
        body: FindObjectsBody,
        response: { 200: ObjectsPage },
      }),
      async (request) => {
        const q = queryOf(request);
        const limit = pageLimit(q.limit, 'objects');
        return services.objects.find(workspaceOf(request), parseFindObjects(request.body), q.start, limit);
      },
    );
  }
  registerObjectReadRoutes(ctx);
}

/** One object: its attributes, relationships and activities; a person's relationships. */
function registerObjectReadRoutes(ctx: AppRouteContext): void {
  const { app, services, route, prefixes } = ctx;
  const object = (request: Parameters<typeof paramOf>[0]) =>
    [
      workspaceOf(request),
      paramOf(request, 'object_type_id'),
      paramOf(request, 'object_id'),
      parseObjectIdType(queryOf(request).id_type),
    ] as const;
  for (const prefix of prefixes) {
    app.get(
      `${prefix}/objects/:object_type_id/:object_id/attributes`,
      route({
        summary: "An object's attributes",
        params: ObjectParams,
        querystring: ObjectQuery,
        response: { 200: ObjectResponse },
      }),
      async (request) => services.objects.attributes(...object(request)),
    );
    app.get(
      `${prefix}/objects/:object_type_id/:object_id/relationships`,
      route({
        summary: 'The people related to an object, with relationship attributes',
        params: ObjectParams,
        querystring: ObjectPageQuery,
        response: { 200: ObjectRelationshipsPage },
      }),
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
      route({
        summary: "An object's history, newest first (Roster)",
        params: ObjectParams,
        querystring: ObjectPageQuery,
        response: { 200: ObjectActivitiesPage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.objects.activities(...object(request), q.start, pageLimit(q.limit, 'activities'));
      },
    );

    app.get(
      `${prefix}/customers/:customer_id/relationships`,
      route({
        summary: "A person's objects, with relationship attributes",
        params: CustomerParams,
        querystring: CustomerPageQuery,
        response: { 200: CustomerRelationshipsPage },
      }),
      async (request) => {
        const q = queryOf(request);
        return services.objects.ofCustomer(
          workspaceOf(request),
          idTypeOf(request),
          paramOf(request, 'customer_id'),
          q.start,
          pageLimit(q.limit, 'relationships'),
        );
      },
    );
  }
}
