import type { Tx } from '../../store/store.js';
import { recordActivities, type ActivityInput } from '../../store/activities/activities.js';
import { recordObjectActivities, type ObjectActivityInput } from '../../store/objects/object-activities.js';
import { findObjectByOid } from '../../store/objects/objects.js';
import {
  anonymousRelationships,
  deleteAnonymousRelationships,
  findRelationship,
  insertRelationship,
  reassignRelationship,
  relationshipsOfPerson,
  updateRelationship,
} from '../../store/objects/relationships.js';
import { dict, type PersonRow } from '../../store/track/people.js';
import { mergeAttributes } from '../track/attributes.js';
import type { WriteContext, WriteEffects } from '../track/context.js';
import { activity, identifiersOf } from '../track/people-ops.js';
import { objectIdentifiers, RELATIONSHIPS_ATTRIBUTE } from './object-writes.js';

function objectActivity(ctx: WriteContext, oid: number, type: string, data: unknown): ObjectActivityInput {
  return {
    workspaceId: ctx.workspace.id,
    objectOid: oid,
    type,
    data,
    source: ctx.source,
    timestamp: ctx.now,
  };
}

/**
 * Before a person is deleted (deleted, suppressed, merged away): each object they were related to
 * records the relationship's end. The rows themselves go with the person.
 */
export async function forgetPersonRelationships(
  trx: Tx,
  ctx: WriteContext,
  person: PersonRow,
): Promise<void> {
  const rels = await relationshipsOfPerson(trx, person.workspaceId, person.pid);
  if (rels.length === 0) return;
  const who = identifiersOf(person);
  await recordObjectActivities(
    trx,
    rels.map((r) =>
      objectActivity(ctx, r.objectOid, 'delete_relationship', { person: who, reason: 'person removed' }),
    ),
  );
  await trx.deleteFrom('relationships').where('person_pid', '=', person.pid).execute();
}

/**
 * Merge: the secondary's relationships move to the primary. Where both are related to the same
 * object, the primary's relationship attributes win and the secondary's fill only what it lacks.
 */
export async function moveRelationships(
  trx: Tx,
  ctx: WriteContext,
  secondary: PersonRow,
  primary: PersonRow,
  fx: WriteEffects,
): Promise<number> {
  const rels = await relationshipsOfPerson(trx, secondary.workspaceId, secondary.pid);
  const people: ActivityInput[] = [];
  const objects: ObjectActivityInput[] = [];
  for (const rel of rels) {
    const obj = await findObjectByOid(trx, secondary.workspaceId, rel.objectOid);
    if (!obj) continue;
    const mine = await findRelationship(trx, primary.workspaceId, primary.pid, rel.objectOid);
    if (!mine) {
      await reassignRelationship(
        trx,
        secondary.workspaceId,
        secondary.pid,
        primary.pid,
        rel.objectOid,
        ctx.now,
      );
      people.push(
        activity(ctx, primary, {
          type: 'add_relationship',
          name: obj.objectId,
          data: {
            ...objectIdentifiers(obj),
            relationship_attributes: rel.attributes,
            merged_from: identifiersOf(secondary),
          },
        }),
      );
      objects.push(
        objectActivity(ctx, obj.oid, 'add_relationship', {
          person: identifiersOf(primary),
          relationship_attributes: rel.attributes,
          merged_from: identifiersOf(secondary),
        }),
      );
      continue;
    }
    const attributes = dict(mine.attributes);
    const attrTs = dict(mine.attrTs);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, v] of Object.entries(rel.attributes)) {
      if (Object.hasOwn(attributes, k)) continue;
      attributes[k] = v;
      attrTs[k] = rel.attrTs[k] ?? ctx.now;
      changes[k] = { from: null, to: v };
    }
    if (Object.keys(changes).length > 0) {
      await updateRelationship(
        trx,
        primary.workspaceId,
        { personPid: primary.pid, objectOid: obj.oid, attributes, attrTs },
        ctx.now,
      );
      people.push(
        activity(ctx, primary, {
          type: 'relationship_attribute_change',
          name: obj.objectId,
          data: { ...objectIdentifiers(obj), changes },
        }),
      );
    }
  }
  await recordActivities(trx, people);
  await recordObjectActivities(trx, objects);
  if (rels.length > 0) fx.changed.addAttributes(primary.pid, [RELATIONSHIPS_ATTRIBUTE]);
  return rels.length;
}

/** A person identified with an anonymous id takes the relationships sent for it (`identify_anonymous`). */
export async function claimAnonymousRelationships(
  trx: Tx,
  ctx: WriteContext,
  person: PersonRow,
  anonymousId: string,
  fx: WriteEffects,
): Promise<void> {
  const waiting = await anonymousRelationships(trx, ctx.workspace.id, anonymousId);
  if (waiting.length === 0) return;
  const people: ActivityInput[] = [];
  const objects: ObjectActivityInput[] = [];
  for (const w of waiting) {
    const obj = await findObjectByOid(trx, person.workspaceId, w.objectOid);
    if (!obj) continue;
    const mine = await findRelationship(trx, person.workspaceId, person.pid, w.objectOid);
    const merged = mergeAttributes(
      mine?.attributes ?? dict(),
      mine?.attrTs ?? dict<number>(),
      Object.entries(w.attributes).map(([k, v]) => [k, v] as [string, unknown]),
      ctx.now,
    );
    const rel = {
      personPid: person.pid,
      objectOid: obj.oid,
      attributes: merged.attributes,
      attrTs: { ...merged.attrTs, ...w.attrTs },
    };
    if (mine) await updateRelationship(trx, person.workspaceId, rel, ctx.now);
    else await insertRelationship(trx, ctx.workspace.id, rel, ctx.now);
    const data = {
      ...objectIdentifiers(obj),
      relationship_attributes: rel.attributes,
      anonymous_id: anonymousId,
    };
    people.push(activity(ctx, person, { type: 'add_relationship', name: obj.objectId, data }));
    objects.push(
      objectActivity(ctx, obj.oid, 'add_relationship', {
        person: identifiersOf(person),
        relationship_attributes: rel.attributes,
        anonymous_id: anonymousId,
      }),
    );
  }
  await deleteAnonymousRelationships(trx, ctx.workspace.id, anonymousId);
  await recordActivities(trx, people);
  await recordObjectActivities(trx, objects);
  fx.changed.addAttributes(person.pid, [RELATIONSHIPS_ATTRIBUTE]);
}
