import type { Tx } from '../../store/store.js';
import { attachAnonymousEvents, findAnonymousLink, linkAnonymous } from '../../store/track/events.js';
import type { PersonRow } from '../../store/track/people.js';
import { recordActivities, type ActivityType } from '../../store/activities/activities.js';
import { claimAnonymousRelationships } from '../objects/person-relationships.js';
import type { WriteContext, WriteEffects } from './context.js';
import { activity } from './people-ops.js';

/** Anonymous events merge into a person for 30 days after they happen (docs/track-api.md §6). */
export const ANONYMOUS_MERGE_WINDOW_S = 30 * 24 * 3600;

/**
 * Links `anonymousId` to the person and attaches its anonymous events of the last 30 days, each
 * shown in the person's activity. An anonymous id already linked to someone else stays theirs
 * ("must be unique and is not reusable").
 */
export async function attachAnonymous(
  trx: Tx,
  ctx: WriteContext,
  person: PersonRow,
  anonymousId: string,
  fx: WriteEffects,
): Promise<void> {
  const linked = await findAnonymousLink(trx, ctx.workspace.id, anonymousId);
  if (linked !== undefined && linked !== person.pid) return;
  if (linked === undefined) await linkAnonymous(trx, ctx.workspace.id, anonymousId, person.pid, ctx.now);
  const events = await attachAnonymousEvents(
    trx,
    ctx.workspace.id,
    anonymousId,
    person.pid,
    ctx.now - ANONYMOUS_MERGE_WINDOW_S,
  );
  await claimAnonymousRelationships(trx, ctx, person, anonymousId, fx);
  if (linked !== undefined && events.length === 0) return;
  await recordActivities(trx, [
    activity(ctx, person, { type: 'anon_merge', data: { anonymous_id: anonymousId, events: events.length } }),
    ...events.map((e) =>
      activity(ctx, person, {
        type: e.type as ActivityType,
        name: e.name,
        data: e.data,
        timestamp: e.timestamp,
      }),
    ),
  ]);
  fx.changed.add(person.pid);
}
