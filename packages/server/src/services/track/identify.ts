import type { Tx } from '../../store/store.js';
import { dict, findPerson, updatePerson, type PersonRow } from '../../store/track/people.js';
import { recordActivities, type ActivityInput } from '../../store/activities.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { IdentifierMode } from '../../store/workspaces/workspace.js';
import { attachAnonymous } from './anonymous.js';
import { isRemoval, mergeAttributes, unsubscribedValue, type MergeResult } from './attributes.js';
import type { WriteContext, WriteEffects } from './context.js';
import {
  anonLockKey,
  coerceIdentifier,
  isEmail,
  normEmail,
  refLockKey,
  type PersonRef,
} from './identifiers.js';
import { checkAttributes, MAX_ATTRIBUTES, parseTimestamp, ValidationErrors } from './limits.js';
import { activity, createPerson, findUnlessBlocked, identifiersOf } from './people-ops.js';

/** Keys of an identify body that are instructions, not attributes (spec §3.1). */
const CONTROL_KEYS = new Set(['_update', '_timestamp', 'anonymous_id', 'cio_id', 'cio_relationships']);

type IdKind = 'id' | 'email';

/** An identify, parsed and validated before any transaction starts. */
export interface IdentifyCommand {
  ref: PersonRef;
  /** Identifier values from the body: a string sets, `null` removes; absent keys are not here. */
  identifiers: Partial<Record<IdKind, string | null>>;
  attributes: Array<[string, unknown]>;
  updateOnly: boolean;
  /** `_timestamp` (v1) or `timestamp` (v2); the receive time when absent. */
  at: number | undefined;
  anonymousId: string | undefined;
}

function identifierKinds(mode: IdentifierMode): IdKind[] {
  return mode === 'id' ? ['id'] : mode === 'email' ? ['email'] : ['id', 'email'];
}

/**
 * Splits an identify body into identifiers, attributes and instructions, and checks the limits.
 * In an id-only workspace `email` is an ordinary attribute (and `id` in an email-only one).
 */
export function parseIdentify(
  ref: PersonRef,
  body: Record<string, unknown>,
  mode: IdentifierMode,
  v2Timestamp?: unknown,
): IdentifyCommand {
  const kinds = identifierKinds(mode);
  const identifiers: IdentifyCommand['identifiers'] = {};
  const attributes: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(body)) {
    if (CONTROL_KEYS.has(key)) continue;
    if ((key === 'id' || key === 'email') && kinds.includes(key)) {
      identifiers[key] = isRemoval(value) ? null : (coerceIdentifier(value, key) ?? null);
      continue;
    }
    attributes.push([key, key === 'unsubscribed' && !isRemoval(value) ? unsubscribedValue(value) : value]);
  }
  const email = identifiers.email;
  if (typeof email === 'string' && !isEmail(email))
    throw new InvalidInputError('email', 'email attribute must be a valid email address', 'invalid');
  // Observed Customer.io 400 (spec §5.3): an id-addressed identify whose body id differs.
  if (ref.kind === 'id' && identifiers.id !== undefined && identifiers.id !== ref.value)
    throw new ValidationErrors(['id attribute and identifier are not the same value'], 'id');
  checkAttributes(attributes);
  const update = body._update;
  const anon = body.anonymous_id;
  if (anon !== undefined && anon !== null && typeof anon !== 'string')
    throw new InvalidInputError('anonymous_id', 'anonymous_id must be a string', 'invalid');
  return {
    ref,
    identifiers,
    attributes,
    updateOnly: update === true || update === 'true',
    at: parseTimestamp(body._timestamp, '_timestamp') ?? parseTimestamp(v2Timestamp, 'timestamp'),
    anonymousId: anon || undefined,
  };
}

/** Every identity an identify names, for the advisory locks taken before it runs. */
export function identifyLockKeys(workspaceId: number, cmd: IdentifyCommand): string[] {
  const keys = [refLockKey(workspaceId, cmd.ref)];
  if (cmd.identifiers.id) keys.push(refLockKey(workspaceId, { kind: 'id', value: cmd.identifiers.id }));
  if (cmd.identifiers.email)
    keys.push(refLockKey(workspaceId, { kind: 'email', value: cmd.identifiers.email }));
  if (cmd.anonymousId) keys.push(anonLockKey(workspaceId, cmd.anonymousId));
  return keys;
}

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

/**
 * Identify (spec §5.3): find the person by the addressed identifier, else by a body identifier
 * (which then receives the addressed one), else create — unless `_update`. Identifiers change only
 * when the person is addressed by `cio_` (or email through id, when the workspace allows it); an
 * identify whose identifiers belong to two different people changes no identifier and records why.
 */
export async function identify(
  trx: Tx,
  ctx: WriteContext,
  cmd: IdentifyCommand,
  fx: WriteEffects,
): Promise<void> {
  const found = await findUnlessBlocked(trx, ctx, cmd.ref, refsOf(cmd));
  if (found.blocked) return;
  const ws = ctx.workspace.id;
  const failed = (person: PersonRow | undefined, reason: string, extra: Record<string, unknown> = {}) =>
    activity(ctx, person, { type: 'failed_attribute_change', data: { reason, ...extra } });

  let person = found.person;
  // A new person: their attributes, merged before the INSERT, and their profile_create, recorded
  // with this identify's other activities in one INSERT (an identify of a new person went from
  // ~10 statements to 8).
  let premerged: MergeResult | undefined;
  const created: ActivityInput[] = [];
  const pending: Partial<Record<IdKind, string | null>> = { ...cmd.identifiers };
  const activities: ActivityInput[] = [];

  if (!person) {
    const path = `${cmd.ref.kind === 'cio_id' ? 'cio_' : ''}${cmd.ref.value}`;
    if (cmd.ref.kind === 'cio_id') {
      await recordActivities(trx, [
        failed(undefined, `no person with cio_id ${cmd.ref.value}`, { identifier: path }),
      ]);
      return;
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
      return;
    }
    const [existing] = candidates.values();
    if (existing) {
      const kind = cmd.ref.kind as IdKind;
      const current = slot(existing, kind);
      if (current !== null && !sameIdentifier(kind, current, cmd.ref.value)) {
        const reason = `${kind} is already ${current}; address the person as cio_${existing.cioId} to change it`;
        await recordActivities(trx, [failed(existing, reason, { identifier: path })]);
        return;
      }
      person = existing;
      pending[kind] = cmd.ref.value;
    } else if (cmd.updateOnly) {
      await recordActivities(trx, [
        failed(undefined, '_update is true and no person matches', { identifier: path }),
      ]);
      return;
    } else {
      const id = cmd.ref.kind === 'id' ? cmd.ref.value : (cmd.identifiers.id ?? null);
      const email = cmd.ref.kind === 'email' ? cmd.ref.value : (cmd.identifiers.email ?? null);
      const at = cmd.at ?? ctx.now;
      person = await createPerson(trx, ctx, { id, email }, fx, {
        activities: created,
        initial: (attrTs) => {
          // What the merge below would compute against the new (empty) person.
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
    }
  }

  const at = cmd.at ?? ctx.now;
  // Identifier changes: all or none.
  const idChanges: Array<[IdKind, string | null]> = [];
  let blocked = false;
  for (const kind of ['id', 'email'] as const) {
    if (!(kind in pending)) continue;
    const next = pending[kind] ?? null;
    const current = slot(person, kind);
    if (sameIdentifier(kind, current, next)) continue;
    if (next !== null) {
      const holder = await findPerson(trx, ws, { kind, value: next });
      if (holder && holder.pid !== person.pid) {
        activities.push(
          failed(person, `${kind} ${next} belongs to another person; no identifier was changed`),
        );
        blocked = true;
        break;
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
  if (blocked) idChanges.length = 0;
  if (idChanges.length > 0) {
    const id = idChanges.find(([k]) => k === 'id');
    const email = idChanges.find(([k]) => k === 'email');
    if ((id ? id[1] : person.id) === null && (email ? email[1] : person.email) === null) {
      activities.push(failed(person, 'a person must keep an id or an email'));
      idChanges.length = 0;
    }
  }

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
      failed(person, 'older than the last change of these attributes', { attributes: merged.stale }),
    );

  const changed = Object.keys(changes).length > 0;
  // A new person's row already holds the merge (premerged).
  if (!premerged && (changed || merged.tsChanged)) {
    await updatePerson(
      trx,
      person.pid,
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
  const after: PersonRow = { ...person, id, email };
  if (changed) {
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
