import { InvalidInputError } from '../../lib/errors.js';
import { byteLength } from '../track/identifiers.js';

/** An object named by its type and id (create or update), or by Roster's `cio_object_id` (update only). */
export type ObjectRef =
  { kind: 'key'; typeId: string; objectId: string } | { kind: 'cio'; cioObjectId: string };

/** Object id limit (docs/objects.md "Limits"): 150 bytes. */
export const MAX_OBJECT_ID_BYTES = 150;
/** Type ids are positive integers as strings ("1"); nine digits leave room for any real count. */
const TYPE_ID = /^[1-9][0-9]{0,8}$/;
const CIO_OBJECT_ID = /^[A-Za-z0-9]{1,64}$/;

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A type id from the wire: "1" or 1. */
export function parseTypeId(value: unknown, field: string): string {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || text === '')
    throw new InvalidInputError(field, `${field} is required`, 'required');
  if (!TYPE_ID.test(text))
    throw new InvalidInputError(
      field,
      `${field} must be a positive integer as a string, such as "1"`,
      'invalid',
    );
  return text;
}

/** An object id from the wire: a non-blank string of at most 150 bytes (numbers are taken as text). */
export function parseObjectId(value: unknown, field: string): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '')
    throw new InvalidInputError(field, `${field} is required`, 'required');
  if (byteLength(text) > MAX_OBJECT_ID_BYTES)
    throw new InvalidInputError(
      field,
      `${field} cannot be longer than ${MAX_OBJECT_ID_BYTES} bytes`,
      'too_long',
    );
  return text;
}

export function parseCioObjectId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !CIO_OBJECT_ID.test(value))
    throw new InvalidInputError(field, `${field} must be a cio_object_id`, 'invalid');
  return value;
}

/**
 * `{"object_type_id":"1","object_id":"acme"}` or `{"cio_object_id":"…"}` (docs/objects.md).
 * Anything else, or both, is refused with the field named.
 */
export function parseObjectRef(raw: unknown, field = 'identifiers'): ObjectRef {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidInputError(field, `${field} must be an object`, 'required');
  const ids = raw as Record<string, unknown>;
  const cio = own(ids, 'cio_object_id');
  if (cio !== undefined && cio !== null) {
    if (own(ids, 'object_id') !== undefined)
      throw new InvalidInputError(
        field,
        `${field} must hold either cio_object_id or object_type_id and object_id`,
      );
    return { kind: 'cio', cioObjectId: parseCioObjectId(cio, `${field}.cio_object_id`) };
  }
  for (const key of Object.keys(ids))
    if (key !== 'object_type_id' && key !== 'object_id' && key !== 'cio_object_id')
      throw new InvalidInputError(
        `${field}.${key.slice(0, 40)}`,
        `unknown object identifier ${key.slice(0, 40)}`,
      );
  return {
    kind: 'key',
    typeId: parseTypeId(own(ids, 'object_type_id'), `${field}.object_type_id`),
    objectId: parseObjectId(own(ids, 'object_id'), `${field}.object_id`),
  };
}

/** Advisory-lock key for an object (PostgreSQL serialises writers to the same object). */
export function objectLockKey(workspaceId: number, ref: ObjectRef): string {
  return ref.kind === 'key'
    ? `ws:${workspaceId}:object:${ref.typeId}:${ref.objectId}`
    : `ws:${workspaceId}:cio_object:${ref.cioObjectId}`;
}

export function describeRef(ref: ObjectRef): string {
  return ref.kind === 'key' ? `object ${ref.objectId} of type ${ref.typeId}` : `object ${ref.cioObjectId}`;
}
