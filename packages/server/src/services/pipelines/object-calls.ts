import { recordActivities } from '../../store/activities/activities.js';
import type { TrackWrite } from '../track/context.js';
import { refLockKey, type PersonRef } from '../track/identifiers.js';
import { activity, findOrCreate } from '../track/people-ops.js';

/**
 * A `group` call (spec pipelines-api.md §5.6), parsed: the object it names and the person it
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

/**
 * THE ONE PLACE a `group` call becomes a write. Until objects exist (issue 16), Roster records the
 * call in the person's history (activity `group`, data `{group_id, object_type_id, traits}`) so
 * nothing is lost; the objects work replaces this function with "upsert the object and relate the
 * person to it".
 */
export function applyGroupCall(workspaceId: number, call: GroupCall): TrackWrite {
  return {
    lockKeys: [refLockKey(workspaceId, call.ref)],
    run: async (trx, ctx, fx) => {
      const person = await findOrCreate(trx, ctx, call.ref, fx);
      if (!person) return;
      await recordActivities(trx, [
        activity(ctx, person, {
          type: 'group',
          name: call.groupId,
          data: { group_id: call.groupId, object_type_id: call.objectTypeId, traits: call.traits },
          timestamp: call.timestamp,
        }),
      ]);
    },
  };
}
