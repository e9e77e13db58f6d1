import type { Tx } from '../../store/store.js';
import { addMembership, findSegment, removeMembership } from '../../store/track/memberships.js';
import { findPerson } from '../../store/track/people.js';
import { recordActivities, type ActivityInput } from '../../store/activities/activities.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { WriteContext, WriteEffects } from './context.js';
import { isEmail, refLockKey, type PersonRef } from './identifiers.js';
import { activity } from './people-ops.js';

export type SegmentIdType = 'id' | 'email' | 'cio_id';

export interface SegmentCommand {
  segmentId: number;
  refs: PersonRef[];
}

/** Customer.io: 1–1000 ids per call (docs/track-api.md §7). */
export const MAX_SEGMENT_IDS = 1000;

/** Parses `?id_type=` and `{"ids": […]}`; ids that do not fit the type are ignored, numbers are ids. */
export function parseSegmentCommand(rawSegmentId: string, idType: unknown, body: unknown): SegmentCommand {
  const segmentId = Number(rawSegmentId);
  if (!/^\d+$/.test(rawSegmentId) || !Number.isSafeInteger(segmentId))
    throw new InvalidInputError('segment_id', 'segment id must be an integer', 'invalid');
  const type = idType === undefined || idType === '' ? 'id' : idType;
  if (type !== 'id' && type !== 'email' && type !== 'cio_id')
    throw new InvalidInputError('id_type', 'id_type must be one of id, email, cio_id', 'invalid');
  const ids = (body as { ids?: unknown } | undefined)?.ids;
  if (!Array.isArray(ids) || ids.length === 0)
    throw new InvalidInputError('ids', 'ids must be a non-empty array', 'required');
  if (ids.length > MAX_SEGMENT_IDS)
    throw new InvalidInputError('ids', `ids cannot have more than ${MAX_SEGMENT_IDS} entries`, 'too_long');
  const refs: PersonRef[] = [];
  for (const raw of ids) {
    const value =
      typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
    if (value === '') continue;
    if (type === 'email' && !isEmail(value)) continue;
    if (type === 'cio_id') refs.push({ kind: 'cio_id', value: value.replace(/^cio_/, '') });
    else refs.push({ kind: type, value });
  }
  return { segmentId, refs };
}

export function segmentLockKeys(workspaceId: number, cmd: SegmentCommand): string[] {
  return cmd.refs.map((r) => refLockKey(workspaceId, r));
}

/**
 * Manual membership. Only manual segments of this workspace (404 unknown, 400 dynamic). People who
 * do not exist are skipped: adding to a segment never creates anyone.
 */
export async function changeMembership(
  trx: Tx,
  ctx: WriteContext,
  cmd: SegmentCommand,
  add: boolean,
  fx: WriteEffects,
): Promise<void> {
  const segment = await findSegment(trx, ctx.workspace.id, cmd.segmentId);
  if (!segment) throw new NotFoundError(`segment ${cmd.segmentId} not found`);
  if (segment.type !== 'manual')
    throw new InvalidInputError('segment_id', `segment ${cmd.segmentId} is not a manual segment`, 'invalid');
  const activities: ActivityInput[] = [];
  for (const ref of cmd.refs) {
    const person = await findPerson(trx, ctx.workspace.id, ref);
    if (!person) continue;
    const changed = add
      ? await addMembership(trx, ctx.workspace.id, segment.id, person.pid, ctx.now)
      : await removeMembership(trx, ctx.workspace.id, segment.id, person.pid);
    if (!changed) continue;
    activities.push(
      activity(ctx, person, {
        type: add ? 'entered_segment' : 'exited_segment',
        name: segment.name,
        data: { segment_id: segment.id, segment_name: segment.name },
      }),
    );
    fx.changed.add(person.pid);
  }
  await recordActivities(trx, activities);
}
