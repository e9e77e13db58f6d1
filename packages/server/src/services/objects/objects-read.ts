import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import { compileObjectFilter, MATCHES_ALL } from '../../store/filter/compile-filter.js';
import {
  countObjectsByType,
  objectActivitiesPage,
  relatedObjectsPage,
  relatedPeoplePage,
  searchObjects,
} from '../../store/objects/objects-read.js';
import { findObject, findObjectByCio, type ObjectRow } from '../../store/objects/objects.js';
import { listObjectTypes } from '../../store/objects/object-types.js';
import type { Store } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { attributesText } from '../people/attribute-text.js';
import type { PeopleReadService } from '../people/people-read.js';
import { decodeCursor, encodeCursor } from '../query/cursor.js';
import type { IdType } from '../query/id-type.js';
import type { FindObjects } from './object-type-input.js';
import { parseCioObjectId, parseObjectId, parseTypeId } from './object-ref.js';
import { slugOf } from './object-types.js';

export type ObjectIdType = 'object_id' | 'cio_object_id';

export function parseObjectIdType(raw: string | undefined): ObjectIdType {
  if (raw === undefined || raw === '' || raw === 'object_id') return 'object_id';
  if (raw === 'cio_object_id') return 'cio_object_id';
  throw new InvalidInputError('id_type', 'id_type must be object_id or cio_object_id');
}

function objectIdentifiers(o: ObjectRow) {
  return { object_type_id: o.typeId, object_id: o.objectId, cio_object_id: o.cioObjectId };
}

/**
 * The `object` of `GET …/attributes`: values as text, as people's are (docs/objects.md "Reading
 * objects (App API)").
 */
export function objectView(o: ObjectRow) {
  const attributes = attributesText(o.attributes);
  const timestamps: Record<string, number> = {};
  for (const key of Object.keys(attributes)) timestamps[key] = Number(o.attrTs[key] ?? o.createdAt);
  return {
    object_type_id: o.typeId,
    identifiers: objectIdentifiers(o),
    attributes,
    timestamps,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

function keysetCursor(kind: string, token: string | undefined): number {
  const key = decodeCursor(kind, token);
  if (key === undefined) return 0;
  if (!/^\d+$/.test(key)) throw new InvalidInputError('start', 'start is not a valid page token', 'invalid');
  return Number(key);
}

/** The App API's object reads (docs/objects.md): types, search, attributes, relationships, history. */
export class ObjectsReadService {
  constructor(
    private readonly store: Store,
    private readonly people: PeopleReadService,
  ) {}

  async types(workspace: Workspace) {
    const types = await listObjectTypes(this.store.db, workspace.id);
    const counts = await countObjectsByType(this.store.db, workspace.id);
    return {
      types: types.map((t) => ({
        id: t.id,
        name: t.name,
        singular_name: t.singularName,
        slug: slugOf(t.name),
        singular_slug: slugOf(t.singularName),
        enabled: true,
        count: counts.get(t.id) ?? 0,
      })),
    };
  }

  /** The object a path names (`id_type` object_id, the default, or cio_object_id), or 404. */
  async resolve(
    workspace: Workspace,
    typeRaw: string,
    idRaw: string,
    idType: ObjectIdType,
  ): Promise<ObjectRow> {
    const typeId = parseTypeId(typeRaw, 'object_type_id');
    const found =
      idType === 'cio_object_id'
        ? await findObjectByCio(this.store.db, workspace.id, parseCioObjectId(idRaw, 'object_id'))
        : await findObject(this.store.db, workspace.id, {
            typeId,
            objectId: parseObjectId(idRaw, 'object_id'),
          });
    if (!found || found.typeId !== typeId) throw new NotFoundError();
    return found;
  }

  /** `POST /v1/objects`: a type's objects matching a filter (all of them without one), paged. */
  async find(
    workspace: Workspace,
    { typeId, filter }: FindObjects,
    start: string | undefined,
    limit: number,
  ) {
    const predicate = filter ? compileObjectFilter(filter, this.store.dialect) : MATCHES_ALL;
    const rows = await searchObjects(
      this.store.db,
      workspace.id,
      typeId,
      predicate,
      keysetCursor('o', start),
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      identifiers: page.map((o) => ({ object_id: o.objectId, cio_object_id: o.cioObjectId })),
      ids: page.map((o) => o.objectId),
      // Roster: the attributes too, so a list needs no request per object.
      objects: page.map(objectView),
      next: rows.length > limit && last ? encodeCursor('o', last.oid) : '',
    };
  }

  async attributes(workspace: Workspace, typeId: string, id: string, idType: ObjectIdType) {
    return { object: objectView(await this.resolve(workspace, typeId, id, idType)) };
  }

  /** `GET /v1/objects/:type/:id/relationships`: the object's people, paged by person. */
  async relationships(
    workspace: Workspace,
    typeId: string,
    id: string,
    idType: ObjectIdType,
    start: string | undefined,
    limit: number,
  ) {
    const obj = await this.resolve(workspace, typeId, id, idType);
    const rows = await relatedPeoplePage(
      this.store.db,
      workspace.id,
      obj.oid,
      keysetCursor('rp', start),
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      cio_relationships: page.map((r) => ({
        identifiers: { id: r.id, email: r.email, cio_id: r.cio_id },
        object_type_id: obj.typeId,
        relationship_attributes: r.relationship_attributes,
      })),
      next: rows.length > limit && last ? encodeCursor('rp', last.pid) : '',
    };
  }

  /** `GET /v1/customers/:customer_id/relationships`: the person's objects, paged. */
  async ofCustomer(
    workspace: Workspace,
    idType: IdType,
    customerId: string,
    start: string | undefined,
    limit: number,
  ) {
    const person = await this.people.resolve(workspace, idType, customerId);
    const rows = await relatedObjectsPage(
      this.store.db,
      workspace.id,
      person.pid,
      keysetCursor('ro', start),
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      cio_relationships: page.map((r) => ({
        identifiers: objectIdentifiers(r.object),
        object_type_id: r.object.typeId,
        relationship_attributes: r.relationship_attributes,
      })),
      next: rows.length > limit && last ? encodeCursor('ro', last.object.oid) : '',
    };
  }

  /** `GET /v1/objects/:type/:id/activities` (Roster): the object's history, newest first. */
  async activities(
    workspace: Workspace,
    typeId: string,
    id: string,
    idType: ObjectIdType,
    start: string | undefined,
    limit: number,
  ) {
    const obj = await this.resolve(workspace, typeId, id, idType);
    const before = decodeCursor('oa', start);
    const rows = await objectActivitiesPage(this.store.db, workspace.id, obj.oid, before, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      activities: page.map((a) => ({
        id: a.id,
        // Customer.io's names for object activities (docs/objects.md "Reading objects (App API)").
        type: `_o:${obj.typeId}:${a.type}`,
        name: a.name,
        timestamp: a.timestamp,
        source: a.source,
        object_identifiers: objectIdentifiers(obj),
        data: a.data,
      })),
      next: rows.length > limit && last ? encodeCursor('oa', last.id) : '',
    };
  }
}
