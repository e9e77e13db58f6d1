import type { Tx } from '../../store/store.js';
import { findPerson } from '../../store/track/people.js';
import { addSuppressions, removeSuppression, type SuppressionKey } from '../../store/track/suppressions.js';
import type { WriteContext, WriteEffects } from './context.js';
import { normEmail, type PersonRef } from './identifiers.js';
import { removePerson, suppressionKey } from './people-ops.js';

/** Delete (docs/track-api.md §7): the person, devices and events go; unknown people are fine (200). */
export async function deletePerson(
  trx: Tx,
  ctx: WriteContext,
  ref: PersonRef,
  fx: WriteEffects,
): Promise<void> {
  const person = await findPerson(trx, ctx.workspace.id, ref);
  if (person) await removePerson(trx, ctx, person, 'deleted', fx);
}

/**
 * Suppress (docs/track-api.md §7): deletes the person and blocks their identifiers (both id and email, and the
 * addressed one even when nobody has it), so late retries cannot bring them back.
 */
export async function suppressPerson(
  trx: Tx,
  ctx: WriteContext,
  ref: PersonRef,
  fx: WriteEffects,
): Promise<void> {
  const person = await findPerson(trx, ctx.workspace.id, ref);
  const keys: SuppressionKey[] = [];
  const own = suppressionKey(ref);
  if (own) keys.push(own);
  if (person?.id) keys.push({ kind: 'id', value: person.id });
  if (person?.email) keys.push({ kind: 'email', value: normEmail(person.email) });
  const unique = [...new Map(keys.map((k) => [`${k.kind}:${k.value}`, k])).values()];
  if (person) await removePerson(trx, ctx, person, 'suppressed', fx, { suppressed: unique });
  await addSuppressions(trx, ctx.workspace.id, unique, person?.cioId ?? `${ref.kind}:${ref.value}`, ctx.now);
}

/** Unsuppress frees the identifier and those suppressed with it; it restores no one (docs/track-api.md §7). */
export async function unsuppressPerson(trx: Tx, ctx: WriteContext, ref: PersonRef): Promise<void> {
  const key = suppressionKey(ref);
  if (key) await removeSuppression(trx, ctx.workspace.id, key);
}
