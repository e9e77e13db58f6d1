import { InvalidInputError } from '../../lib/errors.js';
import { slugOf } from '../../lib/slug.js';
import { parseObjectFilter } from './object-filter.js';
import { parseTypeId } from './object-ref.js';
import type { FilterNode } from '../../filter/ast.js';

/** Type names: what the dashboard and Liquid (`objects.<slug>`) show; 100 bytes is plenty. */
const MAX_NAME_BYTES = 100;

/** `POST /v1/object_types`, `PUT /v1/object_types/:id`: the names, checked. */
export interface ObjectTypeWrite {
  name: string;
  /** Left out: the name (create) or the current singular name (rename). */
  singularName?: string;
}

/** `POST /v1/objects`: a type's objects, all of them or those a filter matches. */
export interface FindObjects {
  typeId: string;
  filter?: FilterNode;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

/** `{name, singular_name?}`. */
export function parseObjectTypeWrite(body: unknown): ObjectTypeWrite {
  const b = isObject(body) ? body : {};
  const name = nameOf(b.name, 'name', true)!;
  const singularName = nameOf(b.singular_name, 'singular_name', false);
  return singularName === undefined ? { name } : { name, singularName };
}

/** `{object_type_id, filter?}`. */
export function parseFindObjects(body: unknown): FindObjects {
  const b = body ?? {};
  if (!isObject(b)) throw new InvalidInputError('', 'request body must be a JSON object');
  const typeId = parseTypeId(b.object_type_id, 'object_type_id');
  return b.filter === undefined || b.filter === null
    ? { typeId }
    : { typeId, filter: parseObjectFilter(b.filter, typeId) };
}
