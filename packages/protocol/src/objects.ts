import { Type, type Static } from 'typebox';
import { AppIdentifiers } from './app-api.js';

/**
 * App API object shapes (docs/objects.md): object types, objects, relationships and an object's
 * history. Attribute values are text, as people's are.
 */

export const ObjectType = Type.Object({
  id: Type.String(),
  name: Type.String(),
  singular_name: Type.String(),
  slug: Type.String(),
  singular_slug: Type.String(),
  enabled: Type.Boolean(),
  /** In the list only: how many objects the type has. */
  count: Type.Optional(Type.Integer()),
});
export type ObjectType = Static<typeof ObjectType>;
export const ObjectTypeList = Type.Object({ types: Type.Array(ObjectType) });
export type ObjectTypeList = Static<typeof ObjectTypeList>;
export const ObjectTypeResponse = Type.Object({ type: ObjectType });
export type ObjectTypeResponse = Static<typeof ObjectTypeResponse>;
/** `POST /v1/object_types`, `PUT /v1/object_types/:id`. */
export const ObjectTypeWriteBody = Type.Object({
  name: Type.String(),
  singular_name: Type.Optional(Type.String()),
});
export type ObjectTypeWriteBody = Static<typeof ObjectTypeWriteBody>;

export const ObjectIdentifiers = Type.Object({
  object_type_id: Type.String(),
  object_id: Type.String(),
  cio_object_id: Type.String(),
});
export type ObjectIdentifiers = Static<typeof ObjectIdentifiers>;

export const AppObject = Type.Object({
  object_type_id: Type.String(),
  identifiers: ObjectIdentifiers,
  attributes: Type.Record(Type.String(), Type.String()),
  timestamps: Type.Record(Type.String(), Type.Integer()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export type AppObject = Static<typeof AppObject>;
export const ObjectResponse = Type.Object({ object: AppObject });
export type ObjectResponse = Static<typeof ObjectResponse>;

/** `POST /v1/objects`: a type's objects, all of them without a filter. */
export const FindObjectsBody = Type.Object({
  object_type_id: Type.Union([Type.String(), Type.Integer()]),
  filter: Type.Optional(Type.Unknown()),
});
export type FindObjectsBody = Static<typeof FindObjectsBody>;
export const ObjectsPage = Type.Object({
  identifiers: Type.Array(Type.Object({ object_id: Type.String(), cio_object_id: Type.String() })),
  ids: Type.Array(Type.String()),
  /** Roster: the objects themselves, so a list needs no request per object. */
  objects: Type.Array(AppObject),
  next: Type.String(),
});
export type ObjectsPage = Static<typeof ObjectsPage>;

const relationshipAttributes = Type.Record(Type.String(), Type.Unknown());
/** `GET /v1/objects/:type/:id/relationships`: the object's people. */
export const ObjectRelationshipsPage = Type.Object({
  cio_relationships: Type.Array(
    Type.Object({
      identifiers: AppIdentifiers,
      object_type_id: Type.String(),
      relationship_attributes: relationshipAttributes,
    }),
  ),
  next: Type.String(),
});
export type ObjectRelationshipsPage = Static<typeof ObjectRelationshipsPage>;
/** `GET /v1/customers/:id/relationships`: the person's objects. */
export const CustomerRelationshipsPage = Type.Object({
  cio_relationships: Type.Array(
    Type.Object({
      identifiers: ObjectIdentifiers,
      object_type_id: Type.String(),
      relationship_attributes: relationshipAttributes,
    }),
  ),
  next: Type.String(),
});
export type CustomerRelationshipsPage = Static<typeof CustomerRelationshipsPage>;

/** `GET /v1/objects/:type/:id/activities` (Roster): the object's history, newest first. */
export const ObjectActivitiesPage = Type.Object({
  activities: Type.Array(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      name: Type.Union([Type.String(), Type.Null()]),
      timestamp: Type.Integer(),
      source: Type.String(),
      object_identifiers: ObjectIdentifiers,
      data: Type.Unknown(),
    }),
  ),
  next: Type.String(),
});
export type ObjectActivitiesPage = Static<typeof ObjectActivitiesPage>;

export const ObjectTypeParams = Type.Object({
  object_type_id: Type.String({ description: 'The object type id ("1", "2", …).' }),
});
export const ObjectParams = Type.Object({
  object_type_id: Type.String({ description: 'The object type id ("1", "2", …).' }),
  object_id: Type.String({ description: 'The object, read as `id_type` says.' }),
});
const objectIdType = Type.Optional(
  Type.String({
    enum: ['object_id', 'cio_object_id'],
    description: 'How `object_id` is read: object_id (default) or cio_object_id.',
  }),
);
export const ObjectQuery = Type.Object({ id_type: objectIdType });
export const ObjectPageQuery = Type.Object({
  id_type: objectIdType,
  start: Type.Optional(Type.String({ description: 'The cursor from the previous page (`next`).' })),
  limit: Type.Optional(Type.String({ description: 'Page size.' })),
});
