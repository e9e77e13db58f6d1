import type { Tx } from '../../store/store.js';
import { dict, findPerson, updatePerson, type PersonRow } from '../../store/track/people.js';
import { recordActivities, type ActivityInput } from '../../store/activities/activities.js';
import { attachAnonymous } from './anonymous.js';
import { mergeAttributes, type MergeResult } from './attributes.js';
import type { WriteContext, WriteEffects } from './context.js';
import type { IdentifyCommand, IdKind } from './identify-command.js';
import { normEmail, type PersonRef } from './identifiers.js';
import { MAX_ATTRIBUTES, ValidationErrors, writeTime } from './limits.js';
import { activity, createPerson, findUnlessBlocked, identifiersOf } from './people-ops.js';

function slot(p: PersonRow, kind: IdKind): string | null {
  return kind === 'id' ? p.id : p.email;
}

function sameIdentifier(kind: IdKind, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return kind === 'email' ? normEmail(a) === normEmail(b) : a === b;
}

function refsOf(cmd: IdentifyCommand): PersonRef[] {
  const refs: PersonRef[] = [cmd.ref];
  if (cmd.identifiers.id) refs.push({ kind: 'id', value: cmd.identifiers.id });
  if (cmd.identifiers.email) refs.push({ kind: 'email', value: cmd.identifiers.email });
  return refs;
}

/** Where an identify lands: the person it updates (found or just created), or nothing (recorded why). */
interface Target {
  person: PersonRow;
  /** Identifier values still to apply to that person. */
  pending: Partial<Record<IdKind, string | null>>;
  /**
   * A new person: their attributes were merged before the INSERT, and their profile_create is
   * recorded with this identify's other activities in one INSERT (an identify of a new person went
   * from ~10 statements to 8).
   */
  premerged?: MergeResult;
  created: ActivityInput[];
}

type Failed = (
  person: PersonRow | undefined,
  reason: string,
  extra?: Record<string, unknown>,
) => ActivityInput;

function failure(ctx: WriteContext): Failed {
  return (person, reason, extra = {}) =>
    activity(ctx, person, { type: 'failed_attribute_change', data: { reason, ...extra } });
}

/**
 * Identify (docs/track-api.md §3): find the person by the addressed identifier, else by a body identifier
 * (which then receives the addressed one), else create — unless `_update`. Identifiers change only
 * when the person is addressed by `cio_` (or email through id, when the workspace allows it); an
 * identify whose identifiers belong to two different people changes no identifier and records why.
 * In phases: find the target, decide the identifier changes, merge and write, record.
 */
export async function identify(
  trx: Tx,
  ctx: WriteContext,
  given: IdentifyCommand,
  fx: WriteEffects,
): Promise<void> {
  // Checked first, so a refused timestamp writes nothing; later steps read `cmd.at` as is.
  const cmd = { ...given, at: writeTime(given.at, ctx.now, given.atField) };
  const found = await findUnlessBlocked(trx, ctx, cmd.ref, refsOf(cmd));
  if (found.blocked) return;
  const target = found.person
    ? { person: found.person, pending: { ...cmd.identifiers }, created: [] }
    : await findOrCreate(trx, ctx, cmd, fx);
  if (!target) return;
  const { person, premerged } = target;
  const at = cmd.at ?? ctx.now;
  const activities: ActivityInput[] = [];
  const idChanges = await decideIdentifierChanges(trx, ctx, cmd, target, at, activities);

  const merged = premerged ?? mergeAttributes(person.attributes, person.attrTs, cmd.attributes, at);
  if (Object.keys(merged.attributes).length > MAX_ATTRIBUTES)
    throw new ValidationErrors([`a person cannot have more than ${MAX_ATTRIBUTES} attributes`], 'attributes');
  const changes = { ...merged.changes };
  let { id, email } = person;
  for (const [kind, next] of idChanges) {
    changes[kind] = { from: slot(person, kind), to: next };
    merged.attrTs[kind] = at;
    if (kind === 'id') id = next;
    else email = next;
  }
  if (merged.stale.length > 0)
    activities.push(
      failure(ctx)(person, 'older than the last change of these attributes', { attributes: merged.stale }),
    );

  const changed = Object.keys(changes).length > 0;
  // A new person's row already holds the merge (premerged).
  if (!premerged && (changed || merged.tsChanged)) {
    await updatePerson(
      trx,
      person,
      {
        id,
        email,
        attributes: merged.attributes,
        attrTs: merged.attrTs,
        unsubscribed: merged.attributes.unsubscribed === true,
      },
      ctx.now,
      person,
    );
  }
  await record(trx, ctx, cmd, fx, target, { ...person, id, email }, changes, activities);
}

/**
 * No person answers to the addressed identifier: one of the body's identifiers may name them (and
 * then the addressed one is added), or a new person is created — or, with `_update`, an unknown
 * `cio_id`, or identifiers of two people, nothing happens but a `failed_attribute_change`.
 */
async function findOrCreate(
  trx: Tx,
  ctx: WriteContext,
  cmd: IdentifyCommand,
  fx: WriteEffects,
): Promise<Target | undefined> {
  const ws = ctx.workspace.id;
  const failed = failure(ctx);
  const path = `${cmd.ref.kind === 'cio_id' ? 'cio_' : ''}${cmd.ref.value}`;
  if (cmd.ref.kind === 'cio_id') {
    await recordActivities(trx, [
      failed(undefined, `no person with cio_id ${cmd.ref.value}`, { identifier: path }),
    ]);
    return undefined;
  }
  const candidates = new Map<number, PersonRow>();
  for (const kind of ['id', 'email'] as const) {
    const v = cmd.identifiers[kind];
    if (!v) continue;
    const found = await findPerson(trx, ws, { kind, value: v });
    if (found) candidates.set(found.pid, found);
  }
  if (candidates.size > 1) {
    const reason = 'the identifiers sent belong to different people; nothing was changed';
    await recordActivities(
      trx,
      [...candidates.values()].map((p) => failed(p, reason, { identifier: path })),
    );
    return undefined;
  }
  const pending: Partial<Record<IdKind, string | null>> = { ...cmd.identifiers };
  const [existing] = candidates.values();
  if (existing) {
    const kind = cmd.ref.kind as IdKind;
    const current = slot(existing, kind);
    if (current !== null && !sameIdentifier(kind, current, cmd.ref.value)) {
      const reason = `${kind} is already ${current}; address the person as cio_${existing.cioId} to change it`;
      await recordActivities(trx, [failed(existing, reason, { identifier: path })]);
      return undefined;
    }
    pending[kind] = cmd.ref.value;
    return { person: existing, pending, created: [] };
  }
  if (cmd.updateOnly) {
    await recordActivities(trx, [
      failed(undefined, '_update is true and no person matches', { identifier: path }),
    ]);
    return undefined;
  }
  const id = cmd.ref.kind === 'id' ? cmd.ref.value : (cmd.identifiers.id ?? null);
  const email = cmd.ref.kind === 'email' ? cmd.ref.value : (cmd.identifiers.email ?? null);
  const at = cmd.at ?? ctx.now;
  const created: ActivityInput[] = [];
  let premerged: MergeResult | undefined;
  const person = await createPerson(trx, ctx, { id, email }, fx, {
    activities: created,
    initial: (attrTs) => {
      // What the merge would compute against the new (empty) person.
      premerged = mergeAttributes(dict(), attrTs, cmd.attributes, at);
      return {
        attributes: premerged.attributes,
        attrTs: premerged.attrTs,
        unsubscribed: premerged.attributes.unsubscribed === true,
      };
    },
  });
  delete pending.id;
  delete pending.email;
  return { person, pending, created, ...(premerged ? { premerged } : {}) };
}

/**
 * Which of the pending identifier values the person takes: all or none. A value another person
 * holds blocks them all; a change the addressing does not allow is refused alone; an identify older
 * than the identifier's last change is ignored. Refusals are added to `activities`.
 */
async function decideIdentifierChanges(
  trx: Tx,
  ctx: WriteContext,
  cmd: IdentifyCommand,
  { person, pending }: Target,
  at: number,
  activities: ActivityInput[],
): Promise<Array<[IdKind, string | null]>> {
  const failed = failure(ctx);
  const idChanges: Array<[IdKind, string | null]> = [];
  for (const kind of ['id', 'email'] as const) {
    if (!(kind in pending)) continue;
    const next = pending[kind] ?? null;
    const current = slot(person, kind);
    if (sameIdentifier(kind, current, next)) continue;
    if (next !== null) {
      const holder = await findPerson(trx, ctx.workspace.id, { kind, value: next });
      if (holder && holder.pid !== person.pid) {
        activities.push(
          failed(person, `${kind} ${next} belongs to another person; no identifier was changed`),
        );
        return [];
      }
    }
    const allowed =
      (current === null && next !== null) ||
      cmd.ref.kind === 'cio_id' ||
      (kind === 'email' && cmd.ref.kind === 'id' && ctx.workspace.settings.allowEmailUpdateViaId);
    if (!allowed) {
      activities.push(
        failed(person, `changing ${kind} requires addressing the person as cio_${person.cioId}`, {
          attributes: { [kind]: next },
        }),
      );
      continue;
    }
    if (at < (person.attrTs[kind] ?? -Infinity)) continue;
    idChanges.push([kind, next]);
  }
  if (idChanges.length > 0) {
    const id = idChanges.find(([k]) => k === 'id');
    const email = idChanges.find(([k]) => k === 'email');
    if ((id ? id[1] : person.id) === null && (email ? email[1] : person.email) === null) {
      activities.push(failed(person, 'a person must keep an id or an email'));
      return [];
    }
  }
  return idChanges;
}

/** The history of the identify (one INSERT), the change for the write pipeline, anonymous events. */
async function record(
  trx: Tx,
  ctx: WriteContext,
  cmd: IdentifyCommand,
  fx: WriteEffects,
  { person, created }: Target,
  after: PersonRow,
  changes: Record<string, unknown>,
  activities: ActivityInput[],
): Promise<void> {
  if (Object.keys(changes).length > 0) {
    const names = Object.keys(changes);
    activities.unshift(
      activity(ctx, after, {
        type: 'attribute_change',
        name: names.length === 1 ? names[0] : null,
        data: changes,
      }),
    );
    fx.changed.addAttributes(person.pid, names);
  }
  await recordActivities(trx, [
    ...created,
    ...activities.map((a) => (a.personPid === person.pid ? { ...a, identifiers: identifiersOf(after) } : a)),
  ]);
  if (cmd.anonymousId) await attachAnonymous(trx, ctx, after, cmd.anonymousId, fx);
}
