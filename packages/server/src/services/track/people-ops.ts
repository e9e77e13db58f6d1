import type { Tx } from '../../store/store.js';
import {
  deletePersonRows,
  dict,
  findPersonChecking,
  insertPerson,
  markActivitiesDeleted,
  type PersonRow,
  type PersonWrite,
  type TsMap,
} from '../../store/track/people.js';
import type { SuppressionKey } from '../../store/track/suppressions.js';
import {
  recordActivities,
  type ActivityInput,
  type PersonIdentifiers,
} from '../../store/activities/activities.js';
import { forgetPersonRelationships } from '../objects/person-relationships.js';
import type { WriteContext, WriteEffects } from './context.js';
import { normEmail, type PersonRef } from './identifiers.js';

export function identifiersOf(p: Pick<PersonRow, 'id' | 'email' | 'cioId'>): PersonIdentifiers {
  return { id: p.id, email: p.email, cio_id: p.cioId };
}

export function suppressionKey(ref: PersonRef): SuppressionKey | undefined {
  if (ref.kind === 'id') return { kind: 'id', value: ref.value };
  if (ref.kind === 'email') return { kind: 'email', value: normEmail(ref.value) };
  return undefined;
}

/**
 * The person `ref` names, unless one of `refs` (which include `ref`) is suppressed: a blocked
 * identifier makes every write that names it a silent no-op (docs/track-api.md §7). One statement.
 */
export async function findUnlessBlocked(
  trx: Tx,
  ctx: WriteContext,
  ref: PersonRef,
  refs: readonly PersonRef[],
): Promise<{ blocked: boolean; person: PersonRow | undefined }> {
  const keys = refs.map(suppressionKey).filter((k): k is SuppressionKey => k !== undefined);
  const found = await findPersonChecking(trx, ctx.workspace.id, ref, keys);
  return { blocked: found.suppressed, person: found.person };
}

/** An activity about `person` (or about nobody, when a write found no one), from this write. */
export function activity(
  ctx: WriteContext,
  person: PersonRow | undefined,
  fields: Pick<ActivityInput, 'type' | 'name' | 'data'> & { timestamp?: number },
): ActivityInput {
  return {
    workspaceId: ctx.workspace.id,
    personPid: person?.pid ?? null,
    identifiers: person ? identifiersOf(person) : null,
    type: fields.type,
    name: fields.name ?? null,
    data: fields.data,
    source: ctx.source,
    timestamp: fields.timestamp ?? ctx.now,
  };
}

/** Optional parts of `createPerson`, so an identify creates its person in as few statements as it can. */
export interface NewPerson {
  /**
   * The person's first state, from the attribute timestamps a new person starts with: an identify
   * inserts its attributes with the person rather than in a second UPDATE (one statement fewer
   * per new person; same row).
   */
  initial?: (attrTs: TsMap) => Pick<PersonWrite, 'attributes' | 'attrTs' | 'unsubscribed'>;
  /** When given, the `profile_create` goes here for the caller to record with its own activities. */
  activities?: ActivityInput[];
}

/** Creates a person named by `ref` (never by cio_id, which Roster generates) with a profile_create. */
export async function createPerson(
  trx: Tx,
  ctx: WriteContext,
  ids: { id: string | null; email: string | null },
  fx: WriteEffects,
  opts: NewPerson = {},
): Promise<PersonRow> {
  const attrTs = dict<number>({ cio_id: ctx.now });
  if (ids.id !== null) attrTs.id = ctx.now;
  if (ids.email !== null) attrTs.email = ctx.now;
  const first = opts.initial?.(attrTs) ?? { attributes: dict(), attrTs, unsubscribed: false };
  const person = await insertPerson(
    trx,
    ctx.workspace.id,
    { id: ids.id, email: ids.email, ...first },
    ctx.now,
  );
  const created = activity(ctx, person, {
    type: 'profile_create',
    data: { identifiers: identifiersOf(person) },
  });
  if (opts.activities) opts.activities.push(created);
  else await recordActivities(trx, [created]);
  fx.changed.add(person.pid);
  return person;
}

/**
 * The person a device or event write is about: found, or created from the path identifier
 * (an unknown cio_id finds no one). Undefined when the identifier is suppressed.
 */
export async function findOrCreate(
  trx: Tx,
  ctx: WriteContext,
  ref: PersonRef,
  fx: WriteEffects,
): Promise<PersonRow | undefined> {
  const { blocked, person: found } = await findUnlessBlocked(trx, ctx, ref, [ref]);
  if (blocked) return undefined;
  if (found || ref.kind === 'cio_id') return found;
  return createPerson(
    trx,
    ctx,
    { id: ref.kind === 'id' ? ref.value : null, email: ref.kind === 'email' ? ref.value : null },
    fx,
  );
}

export type RemovalReason = 'deleted' | 'suppressed' | 'merged';

/**
 * Deletes a person with their devices, events and memberships. Their history stays, marked
 * deleted, and ends with a `profile_delete` saying why.
 */
export async function removePerson(
  trx: Tx,
  ctx: WriteContext,
  person: PersonRow,
  reason: RemovalReason,
  fx: WriteEffects,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await forgetPersonRelationships(trx, ctx, person);
  const counts = await deletePersonRows(trx, person);
  await recordActivities(trx, [
    activity(ctx, person, { type: 'profile_delete', data: { reason, ...counts, ...extra } }),
  ]);
  await markActivitiesDeleted(trx, person.workspaceId, person.pid, identifiersOf(person));
  fx.changed.markRemoved(person.pid);
}
