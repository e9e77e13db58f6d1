import { recordActivities, type ActivityInput } from '../../store/activities/activities.js';
import { compileFilter } from '../../store/filter/compile-filter.js';
import {
  addCatchup,
  addMembers,
  identifiersOfPids,
  matchingAmong,
  membersAmong,
  relatedPids,
  removeMembers,
  SET_CHUNK,
  type RemovalHistory,
} from '../../store/segments/segment-sets.js';
import { logSizeChange } from '../../store/segments/segment-tables.js';
import type { DialectName } from '../../store/dialect.js';
import type { Tx } from '../../store/store.js';
import type { ObjectChange } from '../track/context.js';
import { dependents, type Catalog, type DynamicSegment } from './catalog.js';
import type { SegmentEnteredHook } from './engine.js';

/**
 * People an object change re-evaluates inside the write that changed the object. Beyond this, the
 * rest follow in background batches (`CATCHUP_BATCH` people per transaction), so a write holds the
 * database for a bounded time whatever the object's size: 10,000 people re-evaluated set-based cost
 * about as much as 200 single identifies on the 2-core test machine (bench/objects.mjs).
 */
export const OBJECT_CHANGE_IN_WRITE = 10_000;
/** People per background catch-up transaction. */
export const CATCHUP_BATCH = 2_000;

export type { ObjectChange };

/** The segments whose result can change when an object of this type changes, in dependency order. */
export function segmentsAboutType(catalog: Catalog, typeId: string): DynamicSegment[] {
  const direct = new Set(catalog.ordered.filter((s) => s.needs.objectTypes.has(typeId)).map((s) => s.id));
  if (direct.size === 0) return [];
  for (const d of dependents(catalog.ordered, direct)) direct.add(d.id);
  return catalog.ordered.filter((s) => direct.has(s.id));
}

export interface SetContext {
  dialect: DialectName;
  workspaceId: number;
  now: number;
  onEntered?: SegmentEnteredHook | undefined;
}

/**
 * Re-evaluates `segments` (dependency order) for `pids` with the SQL evaluator, a chunk of people
 * at a time: which match, which are members, and the differences written as memberships,
 * `entered_segment` / `exited_segment` activities and size-log entries. A later segment reads the
 * memberships an earlier one just wrote, so segments built on others see the new state.
 */
export async function reevaluateSet(
  trx: Tx,
  ctx: SetContext,
  segments: readonly DynamicSegment[],
  pids: readonly number[],
): Promise<number> {
  let moved = 0;
  const enteredBy = new Map<number, number[]>();
  for (let i = 0; i < pids.length; i += SET_CHUNK) {
    const chunk = pids.slice(i, i + SET_CHUNK);
    const activities: ActivityInput[] = [];
    let identifiers: Map<number, { id: string | null; email: string | null; cio_id: string }> | undefined;
    for (const segment of segments) {
      const predicate = compileFilter(segment.ast, ctx.dialect, { now: ctx.now });
      const matching = await matchingAmong(trx, ctx.workspaceId, predicate, chunk);
      const members = await membersAmong(trx, ctx.workspaceId, segment.id, chunk);
      const entered = [...matching].filter((p) => !members.has(p));
      const exited = [...members].filter((p) => !matching.has(p));
      if (entered.length === 0 && exited.length === 0) continue;
      moved += entered.length + exited.length;
      await addMembers(trx, ctx.workspaceId, segment.id, entered, ctx.now);
      await removeMembers(trx, ctx.workspaceId, segment.id, exited);
      identifiers ??= await identifiersOfPids(trx, ctx.workspaceId, chunk);
      const activity = (type: 'entered_segment' | 'exited_segment', pid: number): ActivityInput => ({
        workspaceId: ctx.workspaceId,
        personPid: pid,
        identifiers: identifiers!.get(pid) ?? null,
        type,
        name: segment.name,
        data: { segment_id: segment.id, segment_name: segment.name },
        source: 'system',
        timestamp: ctx.now,
      });
      activities.push(...exited.map((p) => activity('exited_segment', p)));
      activities.push(...entered.map((p) => activity('entered_segment', p)));
      for (const p of entered) enteredBy.set(p, [...(enteredBy.get(p) ?? []), segment.id]);
      await logSizeChange(
        trx,
        ctx.workspaceId,
        [
          { segmentId: segment.id, delta: entered.length },
          { segmentId: segment.id, delta: -exited.length },
        ],
        ctx.now,
      );
    }
    await recordActivities(trx, activities);
  }
  if (ctx.onEntered)
    for (const [pid, ids] of enteredBy) await ctx.onEntered(trx, ctx.workspaceId, pid, ids, ctx.now);
  return moved;
}

/**
 * An object's change, inside its write: its first `OBJECT_CHANGE_IN_WRITE` related people are
 * re-evaluated now, the rest are queued for the background worker (`segment_catchup`).
 */
export async function applyObjectChange(
  trx: Tx,
  ctx: SetContext,
  catalog: Catalog,
  change: ObjectChange,
  inWrite: number = OBJECT_CHANGE_IN_WRITE,
): Promise<void> {
  const segments = segmentsAboutType(catalog, change.typeId);
  if (change.removedPids) {
    if (segments.length === 0 && !change.removal) return;
    const now = change.removedPids.slice(0, inWrite);
    const later = change.removedPids.slice(inWrite);
    if (change.removal) await recordRemovals(trx, ctx.workspaceId, change.removal, now);
    if (segments.length > 0) await reevaluateSet(trx, ctx, segments, now);
    for (let i = 0; i < later.length; i += CATCHUP_BATCH)
      await addCatchup(
        trx,
        {
          workspaceId: ctx.workspaceId,
          typeId: change.typeId,
          objectOid: null,
          afterPid: 0,
          pids: later.slice(i, i + CATCHUP_BATCH),
          history: change.removal ?? null,
        },
        ctx.now,
      );
    return;
  }
  if (segments.length === 0) return;
  const pids = await relatedPids(trx, ctx.workspaceId, change.oid, 0, inWrite + 1);
  const now = pids.slice(0, inWrite);
  await reevaluateSet(trx, ctx, segments, now);
  if (pids.length > inWrite)
    await addCatchup(
      trx,
      {
        workspaceId: ctx.workspaceId,
        typeId: change.typeId,
        objectOid: change.oid,
        afterPid: now[now.length - 1]!,
        pids: null,
      },
      ctx.now,
    );
}

/**
 * The `delete_relationship` activities of a deleted object's people, set-based: one identifiers
 * read and one insert per `SET_CHUNK` people. People deleted since have no history to add to.
 */
export async function recordRemovals(
  trx: Tx,
  workspaceId: number,
  h: RemovalHistory,
  pids: readonly number[],
): Promise<void> {
  for (let i = 0; i < pids.length; i += SET_CHUNK) {
    const chunk = pids.slice(i, i + SET_CHUNK);
    const identifiers = await identifiersOfPids(trx, workspaceId, chunk);
    await recordActivities(
      trx,
      chunk
        .filter((pid) => identifiers.has(pid))
        .map((pid) => ({
          workspaceId,
          personPid: pid,
          identifiers: identifiers.get(pid)!,
          type: 'delete_relationship' as const,
          name: h.name,
          data: h.data,
          source: h.source,
          timestamp: h.timestamp,
        })),
    );
  }
}
