import { InvalidInputError } from '../../lib/errors.js';
import type { TrackWrite } from '../track/context.js';
import type { PersonRef } from '../track/identifiers.js';
import { attributeEntries } from '../objects/object-limits.js';
import { objectDeleteWrite, objectWrite } from '../objects/object-commands.js';
import { parseObjectId, parseTypeId } from '../objects/object-ref.js';

/**
 * A `group` call (docs/pipelines.md "What maps to what"), parsed: the object it names and the person it
 * relates to.
 */
export interface GroupCall {
  ref: PersonRef;
  groupId: string;
  /** `traits.object_type_id` / `objectTypeId`, default "1". */
  objectTypeId: string;
  traits: Record<string, unknown>;
  timestamp: number;
}

/** Traits that say how to apply a group call, not attributes of the object. */
const INSTRUCTIONS = new Set([
  'object_type_id',
  'objectTypeId',
  'relationshipAttributes',
  'objectAttributes',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `createdAt`/`created_at` as unix seconds (ISO strings converted), as for people (docs/pipelines.md "What maps to what"). */
function createdAt(v: unknown): unknown {
  if (typeof v !== 'string' || /^\d+$/.test(v)) return v;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : v;
}

/**
 * THE ONE PLACE a `group` call becomes a write: the object (`groupId`, of type
 * `traits.object_type_id`, default "1") is created or updated with the traits as its attributes
 * (plus `traits.objectAttributes`, which newer Segment destinations send), and the person is
 * related to it with `traits.relationshipAttributes` — the Track API's object identify
 * (services/objects), so history, limits and segments behave the same.
 */
export function applyGroupCall(workspaceId: number, call: GroupCall): TrackWrite {
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(call.traits)) {
    if (INSTRUCTIONS.has(k)) continue;
    if (k === 'createdAt' || k === 'created_at') attributes.created_at = createdAt(v);
    else attributes[k] = v;
  }
  const extra = call.traits.objectAttributes;
  if (extra !== undefined && extra !== null) {
    if (!isObject(extra))
      throw new InvalidInputError('traits.objectAttributes', 'traits.objectAttributes must be an object');
    Object.assign(attributes, extra);
  }
  return objectWrite(workspaceId, {
    ref: {
      kind: 'key',
      typeId: parseTypeId(call.objectTypeId, 'traits.object_type_id'),
      objectId: parseObjectId(call.groupId, 'groupId'),
    },
    attributes: attributeEntries(attributes, 'traits'),
    relations: [
      {
        target: { kind: 'person', ref: call.ref },
        attributes: attributeEntries(call.traits.relationshipAttributes, 'traits.relationshipAttributes'),
      },
    ],
    at: call.timestamp,
    mode: 'add',
  });
}

/**
 * The semantic events `Relationship Deleted` (the user and `properties.objectId` /
 * `objectTypeId`) and `Object Deleted` (docs/pipelines.md "What maps to what").
 */
export function applyObjectEvent(
  workspaceId: number,
  name: 'Relationship Deleted' | 'Object Deleted',
  properties: Record<string, unknown>,
  ref: PersonRef | undefined,
  timestamp: number,
): TrackWrite {
  const typeRaw = properties.objectTypeId ?? properties.object_type_id ?? '1';
  const key = {
    kind: 'key' as const,
    typeId: parseTypeId(typeRaw, 'properties.objectTypeId'),
    objectId: parseObjectId(properties.objectId ?? properties.object_id, 'properties.objectId'),
  };
  if (name === 'Object Deleted') return objectDeleteWrite(workspaceId, key);
  if (!ref) throw new InvalidInputError('userId', 'Relationship Deleted requires a userId', 'required');
  return objectWrite(workspaceId, {
    ref: key,
    attributes: [],
    relations: [{ target: { kind: 'person', ref }, attributes: [] }],
    at: timestamp,
    mode: 'delete',
  });
}
