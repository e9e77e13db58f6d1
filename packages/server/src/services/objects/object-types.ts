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
import { parseTypeId } from './object-ref.js';
import { slugOf } from '../../lib/slug.js';

export { slugOf };

/** Type names: what the dashboard and Liquid (`objects.<slug>`) show; 100 bytes is plenty. */
const MAX_NAME_BYTES = 100;

function nameOf(raw: unknown, field: string, required: boolean): string | undefined {
  if (raw === undefined || raw === null) {
    if (required) throw new InvalidInputError(field, `${field} is required`, 'required');
    return undefined;
  }
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new InvalidInputError(field, `${field} must be a non-blank string`, 'invalid');
  if (Buffer.byteLength(raw, 'utf8') > MAX_NAME_BYTES)
    throw new InvalidInputError(field, `${field} cannot be longer than ${MAX_NAME_BYTES} bytes`, 'too_long');
  if (slugOf(raw) === '')
    throw new InvalidInputError(field, `${field} needs at least one letter or digit`, 'invalid');
  return raw.trim();
}

/** Naming object types (Roster's App API additions; Customer.io names them in its UI). */
export class ObjectTypesService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** `POST /v1/object_types {name, singular_name?}`: the next free id ("1", "2", …). */
  async create(workspace: Workspace, body: unknown) {
    const b = (body ?? {}) as Record<string, unknown>;
    const name = nameOf(b.name, 'name', true)!;
    const singular = nameOf(b.singular_name, 'singular_name', false) ?? name;
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
  async rename(workspace: Workspace, typeRaw: string, body: unknown) {
    const typeId = parseTypeId(typeRaw, 'object_type_id');
    const b = (body ?? {}) as Record<string, unknown>;
    const name = nameOf(b.name, 'name', true)!;
    return this.store.transaction(
      async (trx) => {
        const current = await findObjectType(trx, workspace.id, typeId);
        if (!current) throw new NotFoundError();
        const others = (await listObjectTypes(trx, workspace.id)).filter((t) => t.id !== typeId);
        if (others.some((t) => slugOf(t.name) === slugOf(name)))
          throw new ConflictError('name', `an object type named ${name} exists`);
        const singular = nameOf(b.singular_name, 'singular_name', false) ?? current.singularName;
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
