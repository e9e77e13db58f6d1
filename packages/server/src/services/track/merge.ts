import type { Tx } from '../../store/store.js';
import { moveDevices } from '../../store/track/devices.js';
import { moveAnonymousLinks, moveEvents } from '../../store/track/events.js';
import { moveManualMemberships } from '../../store/track/memberships.js';
import { dict, findPerson, findPersonByPid, updatePerson } from '../../store/track/people.js';
import { recordActivities } from '../../store/activities/activities.js';
import { isRemoval } from './attributes.js';
import { moveRelationships } from '../objects/person-relationships.js';
import type { WriteContext, WriteEffects } from './context.js';
import { refLockKey, type PersonRef } from './identifiers.js';
import { activity, identifiersOf, removePerson } from './people-ops.js';

export function mergeLockKeys(workspaceId: number, primary: PersonRef, secondary: PersonRef): string[] {
  return [refLockKey(workspaceId, primary), refLockKey(workspaceId, secondary)];
}

/**
 * merge_customers (docs/track-api.md §7): the primary's attributes win and missing or empty ones are filled
 * from the secondary (identifiers too); devices, events, anonymous ids, relationships to objects
 * (the primary's relationship attributes win) and manual segment memberships move; the secondary is deleted. A missing primary or secondary makes it a no-op.
 */
export async function mergePeople(
  trx: Tx,
  ctx: WriteContext,
  primaryRef: PersonRef,
  secondaryRef: PersonRef,
  fx: WriteEffects,
): Promise<void> {
  const ws = ctx.workspace.id;
  const primary = await findPerson(trx, ws, primaryRef);
  const secondary = await findPerson(trx, ws, secondaryRef);
  if (!primary || !secondary || primary.pid === secondary.pid) return;

  const devices = await moveDevices(trx, ws, secondary.pid, primary.pid, ctx.now);
  const events = await moveEvents(trx, ws, secondary.pid, primary.pid);
  const segments = await moveManualMemberships(trx, ws, secondary.pid, primary.pid, ctx.now);
  await moveAnonymousLinks(trx, ws, secondary.pid, primary.pid);
  const relationships = await moveRelationships(trx, ctx, secondary, primary, fx);

  const attributes = dict(primary.attributes);
  const attrTs = dict(primary.attrTs);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, v] of Object.entries(secondary.attributes)) {
    const mine = Object.hasOwn(attributes, k) ? attributes[k] : undefined;
    if (mine !== undefined && !isRemoval(mine)) continue;
    attributes[k] = v;
    attrTs[k] = secondary.attrTs[k] ?? ctx.now;
    changes[k] = { from: null, to: v };
  }
  const secondaryInfo = { identifiers: identifiersOf(secondary), attributes: secondary.attributes };
  // The secondary goes first so its identifiers are free for the primary to take.
  await removePerson(trx, ctx, secondary, 'merged', fx, { merged_into: identifiersOf(primary) });
  const id = primary.id ?? secondary.id;
  const email = primary.email ?? secondary.email;
  if (id !== primary.id) changes.id = { from: null, to: id };
  if (email !== primary.email) changes.email = { from: null, to: email };
  await updatePerson(
    trx,
    primary,
    { id, email, attributes, attrTs, unsubscribed: attributes.unsubscribed === true },
    ctx.now,
    primary,
  );
  const after = (await findPersonByPid(trx, primary.workspaceId, primary.pid)) ?? primary;
  const names = Object.keys(changes);
  await recordActivities(trx, [
    activity(ctx, after, {
      type: 'profile_merge',
      data: { secondary: secondaryInfo, devices, events, segments, relationships },
    }),
    ...(names.length > 0
      ? [
          activity(ctx, after, {
            type: 'attribute_change',
            name: names.length === 1 ? names[0] : null,
            data: changes,
          }),
        ]
      : []),
  ]);
  fx.changed.add(primary.pid);
}
