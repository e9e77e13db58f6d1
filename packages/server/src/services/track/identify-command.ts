import { InvalidInputError } from '../../lib/errors.js';
import { storedEmail } from '../identity/email.js';
import type { IdentifierMode } from '../../store/workspaces/workspace.js';
import { isRemoval, unsubscribedValue } from './attributes.js';
import { anonLockKey, coerceIdentifier, isEmail, refLockKey, type PersonRef } from './identifiers.js';
import { checkAttributes, parseTimestamp, ValidationErrors } from './limits.js';

/** Keys of an identify body that are instructions, not attributes (docs/track-api.md §4). */
const CONTROL_KEYS = new Set(['_update', '_timestamp', 'anonymous_id', 'cio_id', 'cio_relationships']);

export type IdKind = 'id' | 'email';

/** An identify, parsed and validated before any transaction starts. */
export interface IdentifyCommand {
  ref: PersonRef;
  /** Identifier values from the body: a string sets, `null` removes; absent keys are not here. */
  identifiers: Partial<Record<IdKind, string | null>>;
  attributes: Array<[string, unknown]>;
  updateOnly: boolean;
  /** `_timestamp` (v1) or `timestamp` (v2); the receive time when absent. */
  at: number | undefined;
  /** Which field `at` came from, for the error when it is too far ahead. */
  atField: '_timestamp' | 'timestamp';
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
  if (typeof email === 'string') identifiers.email = storedEmail(email);
  // Observed Customer.io 400 (docs/track-api.md §3): an id-addressed identify whose body id differs.
  if (ref.kind === 'id' && identifiers.id !== undefined && identifiers.id !== ref.value)
    throw new ValidationErrors(['id attribute and identifier are not the same value'], 'id');
  checkAttributes(attributes);
  const update = body._update;
  const anon = body.anonymous_id;
  if (anon !== undefined && anon !== null && typeof anon !== 'string')
    throw new InvalidInputError('anonymous_id', 'anonymous_id must be a string', 'invalid');
  const v1At = parseTimestamp(body._timestamp, '_timestamp');
  return {
    ref,
    identifiers,
    attributes,
    updateOnly: update === true || update === 'true',
    at: v1At ?? parseTimestamp(v2Timestamp, 'timestamp'),
    atField: v1At === undefined ? 'timestamp' : '_timestamp',
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
