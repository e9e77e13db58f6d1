import { InvalidInputError } from '../../lib/errors.js';
import { RELATIONSHIPS_ATTRIBUTE } from '../../filter/ast.js';
import type { Tx } from '../../store/store.js';
import { recordActivities, type ActivityInput } from '../../store/activities/activities.js';
import { recordObjectActivities, type ObjectActivityInput } from '../../store/objects/object-activities.js';
import { countObjectTypes, findObjectType, insertObjectType } from '../../store/objects/object-types.js';
import {
  deleteObjectRows,
  findObject,
  findObjectByCio,
  insertObject,
  lockInTransaction,
  updateObject,
  type ObjectRow,
} from '../../store/objects/objects.js';
import {
  deleteRelationship,
  findAnonymousRelationship,
  findRelationship,
  insertRelationship,
  saveAnonymousRelationship,
  updateRelationship,
} from '../../store/objects/relationships.js';
import { findAnonymousLink } from '../../store/track/events.js';
import { relatedPids } from '../../store/segments/segment-sets.js';
import { dict, findPerson, findPersonByPid, type PersonRow } from '../../store/track/people.js';
import { mergeAttributes } from '../track/attributes.js';
import type { ObjectChange, WriteContext, WriteEffects } from '../track/context.js';
import type { PersonRef } from '../track/identifiers.js';
import { activity, findOrCreate, identifiersOf } from '../track/people-ops.js';
import type { RelatedPerson, RelationItem } from './object-commands.js';
import { checkMerged, MAX_OBJECT_TYPES } from './object-limits.js';
import { describeRef, objectLockKey, type ObjectRef } from './object-ref.js';

export { RELATIONSHIPS_ATTRIBUTE };

export interface ObjectIdentifyCommand {
  ref: ObjectRef;
  attributes: Array<[string, unknown]>;
  relations: RelationItem<RelatedPerson>[];
  at: number | undefined;
  /** add: identify/add_relationships (attributes and relationships set); delete: delete_relationships. */
  mode: 'add' | 'delete';
}

export interface PersonRelationsCommand {
  person: PersonRef;
  relations: RelationItem<ObjectRef>[];
  mode: 'add' | 'delete';
  at: number | undefined;
}

/** The activities a write collects and records at its end (one INSERT per table). */
class History {
  readonly people: ActivityInput[] = [];
  readonly objects: ObjectActivityInput[] = [];
  constructor(private readonly ctx: WriteContext) {}

  object(obj: ObjectRow, type: string, data: unknown, name: string | null = null): void {
    this.objects.push({
      workspaceId: this.ctx.workspace.id,
      objectOid: obj.oid,
      type,
      name,
      data,
      source: this.ctx.source,
      timestamp: this.ctx.now,
      identifiers: objectIdentifiers(obj),
    });
  }

  person(person: PersonRow, type: ActivityInput['type'], data: unknown, name: string | null = null): void {
    this.people.push(activity(this.ctx, person, { type, data, name }));
  }

  async record(trx: Tx): Promise<void> {
    await recordActivities(trx, this.people);
    await recordObjectActivities(trx, this.objects);
  }
}

export function objectIdentifiers(obj: Pick<ObjectRow, 'typeId' | 'objectId' | 'cioObjectId'>) {
  return { object_type_id: obj.typeId, object_id: obj.objectId, cio_object_id: obj.cioObjectId };
}

/** A type named on first use gets a default name; the App API and the dashboard rename it. */
async function ensureType(trx: Tx, ctx: WriteContext, typeId: string): Promise<void> {
  const ws = ctx.workspace.id;
  if (await findObjectType(trx, ws, typeId)) return;
  if ((await countObjectTypes(trx, ws)) >= MAX_OBJECT_TYPES)
    throw new InvalidInputError(
      'identifiers.object_type_id',
      `a workspace cannot have more than ${MAX_OBJECT_TYPES} object types`,
      'too_many',
    );
  await insertObjectType(
    trx,
    ws,
    { id: typeId, name: `Objects ${typeId}`, singularName: `Object ${typeId}` },
    ctx.now,
  );
}

/**
 * The object `ref` names: found, or (by type and id, when `create`) created with a `create` in
 * its history. An object named by `cio_object_id` is locked by its type and id once found, so it
 * is serialised with writers that name it that way.
 */
async function resolveObject(
  trx: Tx,
  ctx: WriteContext,
  ref: ObjectRef,
  create: boolean,
  history: History,
): Promise<ObjectRow | undefined> {
  const ws = ctx.workspace.id;
  if (ref.kind === 'cio') {
    const found = await findObjectByCio(trx, ws, ref.cioObjectId);
    if (!found) return undefined;
    await lockInTransaction(
      trx,
      objectLockKey(ws, { kind: 'key', typeId: found.typeId, objectId: found.objectId }),
    );
    return findObjectByCio(trx, ws, ref.cioObjectId);
  }
  const key = { typeId: ref.typeId, objectId: ref.objectId };
  const found = await findObject(trx, ws, key);
  if (found || !create) return found;
  await ensureType(trx, ctx, ref.typeId);
  const obj = await insertObject(trx, ws, key, dict(), dict<number>(), ctx.now);
  history.object(obj, 'create', { identifiers: objectIdentifiers(obj) });
  return obj;
}

function notFound(ref: ObjectRef, field: string): never {
  throw new InvalidInputError(field, `no ${describeRef(ref)}`, 'not_found');
}

/**
 * Object identify / add_relationships / delete_relationships (docs/objects.md): attributes merge
 * as a person's do (null and "" remove, per-attribute last write wins by `timestamp`), then each
 * relationship is added (people named by id or email are created if new, as events create them)
 * or removed.
 */
export async function identifyObject(
  trx: Tx,
  ctx: WriteContext,
  cmd: ObjectIdentifyCommand,
  fx: WriteEffects,
): Promise<void> {
  const history = new History(ctx);
  const obj = await resolveObject(trx, ctx, cmd.ref, cmd.mode === 'add', history);
  if (!obj) {
    if (cmd.mode === 'delete') return;
    notFound(cmd.ref, 'identifiers.cio_object_id');
  }
  const at = cmd.at ?? ctx.now;
  if (cmd.attributes.length > 0) await mergeObjectAttributes(trx, ctx, obj, cmd.attributes, at, history, fx);
  for (const item of cmd.relations) {
    if (item.target.kind === 'anonymous') {
      await relateAnonymous(trx, ctx, obj, item.target.anonymousId, item.attributes, at, history, fx);
      continue;
    }
    if (cmd.mode === 'add') {
      const person = await findOrCreate(trx, ctx, item.target.ref, fx);
      if (person) await relate(trx, ctx, person, obj, item.attributes, at, history, fx);
    } else {
      const person = await findPerson(trx, ctx.workspace.id, item.target.ref);
      if (person) await unrelate(trx, person, obj, history, fx);
    }
  }
  await history.record(trx);
}

/** Once per object per write: the segments engine re-evaluates its people together. */
function noteObjectChange(fx: WriteEffects, change: ObjectChange): void {
  fx.objects ??= [];
  const seen = fx.objects.find((c) => c.oid === change.oid);
  if (!seen) fx.objects.push(change);
  else if (change.removedPids) Object.assign(seen, change);
  else if (change.attributes)
    seen.attributes = [...new Set([...(seen.attributes ?? []), ...change.attributes])];
}

async function mergeObjectAttributes(
  trx: Tx,
  ctx: WriteContext,
  obj: ObjectRow,
  updates: Array<[string, unknown]>,
  at: number,
  history: History,
  fx: WriteEffects,
): Promise<void> {
  const merged = mergeAttributes(obj.attributes, obj.attrTs, updates, at);
  checkMerged(merged.attributes, 'an object', 'attributes');
  const names = Object.keys(merged.changes);
  if (names.length > 0 || merged.tsChanged) {
    await updateObject(trx, obj.workspaceId, obj.oid, merged.attributes, merged.attrTs, ctx.now);
    obj.attributes = merged.attributes;
    obj.attrTs = merged.attrTs;
  }
  if (names.length > 0) {
    history.object(obj, 'attribute_change', merged.changes, names.length === 1 ? names[0] : null);
    noteObjectChange(fx, { typeId: obj.typeId, oid: obj.oid, attributes: names });
  }
  if (merged.stale.length > 0)
    history.object(obj, 'failed_attribute_change', {
      reason: 'older than the last change of these attributes',
      attributes: merged.stale,
    });
}

/** Adds or updates one relationship, with both histories. */
async function relate(
  trx: Tx,
  ctx: WriteContext,
  person: PersonRow,
  obj: ObjectRow,
  updates: Array<[string, unknown]>,
  at: number,
  history: History,
  fx: WriteEffects,
): Promise<void> {
  const existing = await findRelationship(trx, person.workspaceId, person.pid, obj.oid);
  const merged = mergeAttributes(
    existing?.attributes ?? dict(),
    existing?.attrTs ?? dict<number>(),
    updates,
    at,
  );
  checkMerged(merged.attributes, 'a relationship', 'relationship_attributes');
  const rel = {
    personPid: person.pid,
    objectOid: obj.oid,
    attributes: merged.attributes,
    attrTs: merged.attrTs,
  };
  const ids = objectIdentifiers(obj);
  const who = identifiersOf(person);
  const changed = Object.keys(merged.changes).length > 0;
  if (!existing) {
    await insertRelationship(trx, ctx.workspace.id, rel, ctx.now);
    history.person(
      person,
      'add_relationship',
      { ...ids, relationship_attributes: merged.attributes },
      obj.objectId,
    );
    history.object(obj, 'add_relationship', { person: who, relationship_attributes: merged.attributes });
    fx.changed.addAttributes(person.pid, [RELATIONSHIPS_ATTRIBUTE]);
  } else if (changed || merged.tsChanged) {
    await updateRelationship(trx, person.workspaceId, rel, ctx.now);
    if (changed) {
      history.person(
        person,
        'relationship_attribute_change',
        { ...ids, changes: merged.changes },
        obj.objectId,
      );
      history.object(obj, 'relationship_attribute_change', { person: who, changes: merged.changes });
      fx.changed.addAttributes(person.pid, [RELATIONSHIPS_ATTRIBUTE]);
    }
  }
  if (merged.stale.length > 0)
    history.person(person, 'relationship_failed_attribute_change', {
      ...ids,
      reason: 'older than the last change of these relationship attributes',
      attributes: merged.stale,
    });
}

async function unrelate(
  trx: Tx,
  person: PersonRow,
  obj: ObjectRow,
  history: History,
  fx: WriteEffects,
): Promise<void> {
  if (!(await deleteRelationship(trx, person.workspaceId, person.pid, obj.oid))) return;
  history.person(person, 'delete_relationship', objectIdentifiers(obj), obj.objectId);
  history.object(obj, 'delete_relationship', { person: identifiersOf(person) });
  fx.changed.addAttributes(person.pid, [RELATIONSHIPS_ATTRIBUTE]);
}

/**
 * `identify_anonymous`: a relationship for an anonymous visitor. If the anonymous id already
 * belongs to a person it is theirs at once; otherwise it waits and moves to the person who is
 * later identified with that anonymous id (`claimAnonymousRelationships`).
 */
async function relateAnonymous(
  trx: Tx,
  ctx: WriteContext,
  obj: ObjectRow,
  anonymousId: string,
  updates: Array<[string, unknown]>,
  at: number,
  history: History,
  fx: WriteEffects,
): Promise<void> {
  const ws = ctx.workspace.id;
  const linked = await findAnonymousLink(trx, ws, anonymousId);
  const person = linked !== undefined ? await findPersonByPid(trx, ws, linked) : undefined;
  if (person) return relate(trx, ctx, person, obj, updates, at, history, fx);
  const existing = await findAnonymousRelationship(trx, ws, anonymousId, obj.oid);
  const merged = mergeAttributes(
    existing?.attributes ?? dict(),
    existing?.attrTs ?? dict<number>(),
    updates,
    at,
  );
  checkMerged(merged.attributes, 'a relationship', 'relationship_attributes');
  await saveAnonymousRelationship(trx, ws, anonymousId, obj.oid, merged.attributes, merged.attrTs, ctx.now);
  if (!existing)
    history.object(obj, 'add_relationship', {
      person: { anonymous_id: anonymousId },
      relationship_attributes: merged.attributes,
    });
}

/** Object delete: the object and its relationships go (each related person's history says so). */
export async function deleteObject(
  trx: Tx,
  ctx: WriteContext,
  ref: ObjectRef,
  fx: WriteEffects,
): Promise<void> {
  const history = new History(ctx);
  const obj = await resolveObject(trx, ctx, ref, false, history);
  if (!obj) return;
  // Only the related people's pids are read here (an index range, in pages): their history and
  // segment memberships follow set-based, the first ROSTER_OBJECT_CHANGE_IN_WRITE inside this
  // write and the rest in background batches (services/segments/object-changes.ts).
  const removed: number[] = [];
  for (let after = 0; ;) {
    const page = await relatedPids(trx, obj.workspaceId, obj.oid, after, DELETE_PAGE);
    removed.push(...page);
    if (page.length < DELETE_PAGE) break;
    after = page[page.length - 1]!;
  }
  await deleteObjectRows(trx, obj.workspaceId, obj.oid);
  history.object(obj, 'delete', { identifiers: objectIdentifiers(obj), relationships: removed.length });
  await history.record(trx);
  if (removed.length > 0)
    noteObjectChange(fx, {
      typeId: obj.typeId,
      oid: obj.oid,
      removedPids: removed,
      removal: { data: objectIdentifiers(obj), name: obj.objectId, source: ctx.source, timestamp: ctx.now },
    });
}

/** Related people read per query when an object is deleted. */
const DELETE_PAGE = 10_000;

/**
 * A person's side: add (creating objects named by type and id that do not exist yet) or remove
 * relationships. `createPerson`: whether a person named by id or email who does not exist is
 * created (v2 add_relationships), as events create them.
 */
export async function relatePersonToObjects(
  trx: Tx,
  ctx: WriteContext,
  cmd: PersonRelationsCommand,
  fx: WriteEffects,
  createPerson: boolean,
): Promise<void> {
  const person = createPerson
    ? await findOrCreate(trx, ctx, cmd.person, fx)
    : await findPerson(trx, ctx.workspace.id, cmd.person);
  if (!person) return;
  const history = new History(ctx);
  const at = cmd.at ?? ctx.now;
  for (const [i, item] of cmd.relations.entries()) {
    const obj = await resolveObject(trx, ctx, item.target, cmd.mode === 'add', history);
    if (!obj) {
      if (cmd.mode === 'delete') continue;
      notFound(item.target, `cio_relationships.${i}.identifiers.cio_object_id`);
    }
    if (cmd.mode === 'add') await relate(trx, ctx, person, obj, item.attributes, at, history, fx);
    else await unrelate(trx, person, obj, history, fx);
  }
  await history.record(trx);
}
