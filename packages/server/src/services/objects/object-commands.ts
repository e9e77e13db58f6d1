import { InvalidInputError } from '../../lib/errors.js';
import type { IdentifierMode, Workspace } from '../../store/workspaces/workspace.js';
import type { TrackWrite } from '../track/context.js';
import { requireObject } from '../track/events.js';
import { anonLockKey, explicitRef, refLockKey, type PersonRef } from '../track/identifiers.js';
import { parseTimestamp } from '../track/limits.js';
import { attributeEntries, MAX_RELATIONSHIPS_PER_CALL } from './object-limits.js';
import { objectLockKey, parseObjectRef, type ObjectRef } from './object-ref.js';
import {
  deleteObject,
  identifyObject,
  relatePersonToObjects,
  type ObjectIdentifyCommand,
  type PersonRelationsCommand,
} from './object-writes.js';

/** Who one relationship of an object names: a person, or an anonymous visitor (`identify_anonymous`). */
export type RelatedPerson = { kind: 'person'; ref: PersonRef } | { kind: 'anonymous'; anonymousId: string };

export interface RelationItem<T> {
  target: T;
  attributes: Array<[string, unknown]>;
}

function relationshipList(raw: unknown, field: string): Record<string, unknown>[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidInputError(field, `${field} must be an array`, 'invalid');
  if (raw.length > MAX_RELATIONSHIPS_PER_CALL)
    throw new InvalidInputError(
      field,
      `${field} cannot hold more than ${MAX_RELATIONSHIPS_PER_CALL} relationships in one call`,
      'too_long',
    );
  return raw.map((item, i) => requireObject(item, `${field}.${i}`));
}

/** Relationship items that name objects (a person's `cio_relationships`). */
export function parseObjectRelations(raw: unknown, field: string): RelationItem<ObjectRef>[] {
  return relationshipList(raw, field).map((item, i) => ({
    target: parseObjectRef(item.identifiers, `${field}.${i}.identifiers`),
    attributes: attributeEntries(item.relationship_attributes, `${field}.${i}.relationship_attributes`),
  }));
}

/** Relationship items that name people (an object's `cio_relationships`). */
export function parsePersonRelations(
  raw: unknown,
  field: string,
  mode: IdentifierMode,
  anonymous: boolean,
): RelationItem<RelatedPerson>[] {
  return relationshipList(raw, field).map((item, i) => {
    const idsField = `${field}.${i}.identifiers`;
    let target: RelatedPerson;
    if (anonymous) {
      const ids = requireObject(item.identifiers, idsField);
      const anon = ids.anonymous_id;
      if (typeof anon !== 'string' || anon === '')
        throw new InvalidInputError(
          `${idsField}.anonymous_id`,
          'identify_anonymous relationships need identifiers.anonymous_id',
          'required',
        );
      target = { kind: 'anonymous', anonymousId: anon };
    } else {
      target = { kind: 'person', ref: explicitRef(item.identifiers, idsField, mode) };
    }
    return {
      target,
      attributes: attributeEntries(item.relationship_attributes, `${field}.${i}.relationship_attributes`),
    };
  });
}

function personLockKeys(ws: number, items: readonly RelationItem<RelatedPerson>[]): string[] {
  return items.map((r) =>
    r.target.kind === 'person' ? refLockKey(ws, r.target.ref) : anonLockKey(ws, r.target.anonymousId),
  );
}

/** An object identify / add / delete relationships, as a write (Pipelines `group` uses it too). */
export function objectWrite(ws: number, cmd: ObjectIdentifyCommand): TrackWrite {
  return {
    lockKeys: [objectLockKey(ws, cmd.ref), ...personLockKeys(ws, cmd.relations)],
    run: (trx, ctx, fx) => identifyObject(trx, ctx, cmd, fx),
  };
}

/** An object's deletion, as a write (Pipelines `Object Deleted`). */
export function objectDeleteWrite(ws: number, ref: ObjectRef): TrackWrite {
  return { lockKeys: [objectLockKey(ws, ref)], run: (trx, ctx, fx) => deleteObject(trx, ctx, ref, fx) };
}

/** A v2 `type: "object"` operation (docs/objects.md) as a write. */
export function parseObjectOperation(
  op: Record<string, unknown>,
  action: string,
  workspace: Workspace,
): TrackWrite {
  const ws = workspace.id;
  const ref = parseObjectRef(op.identifiers);
  const lock = objectLockKey(ws, ref);
  switch (action) {
    case 'identify':
    case 'identify_anonymous': {
      const cmd: ObjectIdentifyCommand = {
        ref,
        attributes: attributeEntries(op.attributes, 'attributes'),
        relations: parsePersonRelations(
          op.cio_relationships,
          'cio_relationships',
          workspace.identifierMode,
          action === 'identify_anonymous',
        ),
        at: parseTimestamp(op.timestamp, 'timestamp'),
        mode: 'add',
      };
      return {
        lockKeys: [lock, ...personLockKeys(ws, cmd.relations)],
        run: (trx, ctx, fx) => identifyObject(trx, ctx, cmd, fx),
      };
    }
    case 'add_relationships':
    case 'delete_relationships': {
      if (op.cio_relationships === undefined)
        throw new InvalidInputError('cio_relationships', 'cio_relationships is required', 'required');
      const cmd: ObjectIdentifyCommand = {
        ref,
        attributes: [],
        relations: parsePersonRelations(
          op.cio_relationships,
          'cio_relationships',
          workspace.identifierMode,
          false,
        ),
        at: parseTimestamp(op.timestamp, 'timestamp'),
        mode: action === 'add_relationships' ? 'add' : 'delete',
      };
      return {
        lockKeys: [lock, ...personLockKeys(ws, cmd.relations)],
        run: (trx, ctx, fx) => identifyObject(trx, ctx, cmd, fx),
      };
    }
    case 'delete':
      return { lockKeys: [lock], run: (trx, ctx, fx) => deleteObject(trx, ctx, ref, fx) };
    default:
      throw new InvalidInputError('action', `unknown object action ${action.slice(0, 40)}`, 'invalid');
  }
}

/** A person's relationships to objects, from v2 `cio_relationships` or a v1 identify's. */
export function personRelationsCommand(
  person: PersonRef,
  items: RelationItem<ObjectRef>[],
  mode: 'add' | 'delete',
  at: number | undefined,
): PersonRelationsCommand {
  return { person, relations: items, mode, at };
}

/** Lock keys of the objects a person's relationships name. */
export function objectLockKeys(ws: number, cmd: PersonRelationsCommand): string[] {
  return cmd.relations.map((r) => objectLockKey(ws, r.target));
}

/**
 * v1 `cio_relationships`: `{"action":"add_relationships"|"delete_relationships","relationships":[…]}`
 * (docs/objects.md "Relating a person to objects"). Undefined when the body has none.
 */
export function parseV1Relationships(
  person: PersonRef,
  raw: unknown,
  at: number | undefined,
): PersonRelationsCommand | undefined {
  if (raw === undefined || raw === null) return undefined;
  const body = requireObject(raw, 'cio_relationships');
  const action = body.action ?? 'add_relationships';
  if (action !== 'add_relationships' && action !== 'delete_relationships')
    throw new InvalidInputError(
      'cio_relationships.action',
      'cio_relationships.action must be add_relationships or delete_relationships',
      'invalid',
    );
  const items = parseObjectRelations(body.relationships, 'cio_relationships.relationships');
  return personRelationsCommand(person, items, action === 'add_relationships' ? 'add' : 'delete', at);
}

/** Runs a person's relationship changes as a write of its own (v2 add/delete_relationships). */
export function personRelationsWrite(workspace: Workspace, cmd: PersonRelationsCommand): TrackWrite {
  return {
    lockKeys: [refLockKey(workspace.id, cmd.person), ...objectLockKeys(workspace.id, cmd)],
    run: (trx, ctx, fx) => relatePersonToObjects(trx, ctx, cmd, fx, cmd.mode === 'add'),
  };
}
