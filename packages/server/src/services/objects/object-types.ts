import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/errors.js';
import { unixSeconds, type Clock } from '../../lib/clock.js';
import {
  findObjectType,
  insertObjectType,
  listObjectTypes,
  renameObjectType,
} from '../../store/objects/object-types.js';
import type { Store } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { MAX_OBJECT_TYPES } from './object-limits.js';
import type { ObjectTypeWrite } from './object-type-input.js';
import { parseTypeId } from './object-ref.js';
import { slugOf } from '../../lib/slug.js';

export { slugOf };

/** Naming object types (Roster's App API additions; Customer.io names them in its UI). */
export class ObjectTypesService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** `POST /v1/object_types {name, singular_name?}`: the next free id ("1", "2", …). */
  async create(workspace: Workspace, { name, singularName }: ObjectTypeWrite) {
    const singular = singularName ?? name;
    return this.store.transaction(
      async (trx) => {
        const types = await listObjectTypes(trx, workspace.id);
        if (types.some((t) => slugOf(t.name) === slugOf(name)))
          throw new ConflictError('name', `an object type named ${name} exists`);
        if (types.length >= MAX_OBJECT_TYPES)
          throw new InvalidInputError(
            'name',
            `a workspace cannot have more than ${MAX_OBJECT_TYPES} object types`,
            'too_many',
          );
        // A Track write may name the next id first (it does not take this lock): then the one after.
        let id = types.reduce((max, t) => Math.max(max, Number(t.id)), 0);
        const now = unixSeconds(this.clock);
        let inserted = false;
        for (let tries = 0; tries < 5 && !inserted; tries++)
          inserted = await insertObjectType(
            trx,
            workspace.id,
            { id: String(++id), name, singularName: singular },
            now,
          );
        if (!inserted) throw new Error('no free object type id after 5 attempts');
        return {
          type: {
            id: String(id),
            name,
            singular_name: singular,
            slug: slugOf(name),
            singular_slug: slugOf(singular),
            enabled: true,
          },
        };
      },
      { lockKeys: [`ws:${workspace.id}:object_types`] },
    );
  }

  /** `PUT /v1/object_types/:id {name, singular_name?}`. */
  async rename(workspace: Workspace, typeRaw: string, { name, singularName }: ObjectTypeWrite) {
    const typeId = parseTypeId(typeRaw, 'object_type_id');
    return this.store.transaction(
      async (trx) => {
        const current = await findObjectType(trx, workspace.id, typeId);
        if (!current) throw new NotFoundError();
        const others = (await listObjectTypes(trx, workspace.id)).filter((t) => t.id !== typeId);
        if (others.some((t) => slugOf(t.name) === slugOf(name)))
          throw new ConflictError('name', `an object type named ${name} exists`);
        const singular = singularName ?? current.singularName;
        await renameObjectType(trx, workspace.id, typeId, { name, singularName: singular });
        return {
          type: {
            id: typeId,
            name,
            singular_name: singular,
            slug: slugOf(name),
            singular_slug: slugOf(singular),
            enabled: true,
          },
        };
      },
      { lockKeys: [`ws:${workspace.id}:object_types`] },
    );
  }
}
