import { InvalidInputError } from '../../lib/errors.js';
import type { IdentifierMode } from '../../store/workspaces/workspace.js';
import { emailKey, storedEmail } from '../identity/email.js';

/** One way of naming a person: by id (case-sensitive), email (case-insensitive) or cio_id. */
export type PersonRef =
  { kind: 'id'; value: string } | { kind: 'email'; value: string } | { kind: 'cio_id'; value: string };

/**
 * Email by shape (Customer.io: "We determine the identifier type from the shape of the value";
 * docs/track-api.md §3): one
 * `@`, something before it, a dot in the domain and no whitespace.
 */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** Emails compare by `emailKey` (NFC, lower-cased: services/identity/email.ts). */
export function normEmail(email: string): string {
  return emailKey(email);
}

/** Customer.io's cio_id format is `cio_[a-zA-Z0-9]*`; ours are 16 lower-case hex characters. */
const CIO_ID = /^[A-Za-z0-9]{1,64}$/;

/** Person `id` limit: 150 bytes (docs/track-api.md §3). */
export const MAX_ID_BYTES = 150;

export function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

export function checkCioId(value: string, field = 'identifier'): string {
  if (!CIO_ID.test(value)) throw new InvalidInputError(field, 'invalid identifier', 'invalid');
  return value;
}

function checkId(value: string, field: string): string {
  if (value.trim() === '') throw new InvalidInputError(field, `${field} cannot be blank`, 'required');
  if (byteLength(value) > MAX_ID_BYTES)
    throw new InvalidInputError(field, `${field} cannot be longer than ${MAX_ID_BYTES} bytes`, 'too_long');
  return value;
}

/**
 * Resolves a v1 path identifier (docs/track-api.md §3): `cio_<cio_id>`; else an email when email is an
 * identifier in the workspace and the value looks like one; else an id. In an email-only workspace
 * a value that is not an email is refused, since it could never name anybody.
 */
export function pathRef(raw: string, mode: IdentifierMode, field = 'identifier'): PersonRef {
  if (raw.startsWith('cio_')) return { kind: 'cio_id', value: checkCioId(raw.slice(4), field) };
  if (mode !== 'id' && isEmail(raw)) return { kind: 'email', value: storedEmail(raw) };
  if (mode === 'email')
    throw new InvalidInputError(field, 'identifier must be an email address in this workspace', 'invalid');
  return { kind: 'id', value: checkId(raw, field) };
}

/** Numbers are ids too (node sends `{"id": 5}` in merges and segment lists); other types are not. */
export function coerceIdentifier(value: unknown, field: string): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === undefined) return undefined;
  throw new InvalidInputError(field, `${field} must be a string`, 'invalid');
}

/**
 * An explicit `{id|email|cio_id: value}` object (v2 identifiers, merge sides), exactly one key.
 * The cio_id carries no `cio_` prefix here (docs/track-api.md §2, §7), but one is tolerated.
 */
export function explicitRef(obj: unknown, field: string, mode: IdentifierMode): PersonRef {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new InvalidInputError(
      field,
      `${field} must be an object with one of id, email or cio_id`,
      'required',
    );
  const keys = Object.keys(obj);
  if (keys.length !== 1)
    throw new InvalidInputError(field, `${field} must have exactly one of id, email or cio_id`, 'invalid');
  const key = keys[0]!;
  const value = coerceIdentifier((obj as Record<string, unknown>)[key], `${field}.${key}`);
  if (value === undefined || value === '')
    throw new InvalidInputError(`${field}.${key}`, `${field}.${key} is required`, 'required');
  switch (key) {
    case 'id':
      if (mode === 'email')
        throw new InvalidInputError(`${field}.id`, 'id is not an identifier in this workspace', 'invalid');
      return { kind: 'id', value: checkId(value, `${field}.id`) };
    case 'email':
      if (mode === 'id')
        throw new InvalidInputError(
          `${field}.email`,
          'email is not an identifier in this workspace',
          'invalid',
        );
      if (!isEmail(value))
        throw new InvalidInputError(
          `${field}.email`,
          `${field}.email is not a valid email address`,
          'invalid',
        );
      return { kind: 'email', value: storedEmail(value) };
    case 'cio_id':
      return { kind: 'cio_id', value: checkCioId(value.startsWith('cio_') ? value.slice(4) : value, field) };
    case 'phone':
      throw new InvalidInputError(`${field}.phone`, 'phone is not an enabled identifier', 'invalid');
    default:
      throw new InvalidInputError(`${field}.${key}`, `unknown identifier ${key}`, 'invalid');
  }
}

/** Advisory-lock key for an identifier (PostgreSQL serialises writers to the same identity). */
export function refLockKey(workspaceId: number, ref: PersonRef): string {
  const value = ref.kind === 'email' ? normEmail(ref.value) : ref.value;
  return `ws:${workspaceId}:${ref.kind === 'cio_id' ? 'cio' : ref.kind}:${value}`;
}

/** The identifier a `refLockKey` names (undefined for other lock keys: tokens, events, …). */
export function refOfLockKey(key: string): { kind: 'id' | 'email' | 'cio_id'; value: string } | undefined {
  const m = /^ws:\d+:(id|email|cio):/.exec(key);
  if (!m) return undefined;
  const kind = m[1] === 'cio' ? 'cio_id' : (m[1] as 'id' | 'email');
  return { kind, value: key.slice(m[0].length) };
}

export function tokenLockKey(workspaceId: number, token: string): string {
  return `ws:${workspaceId}:token:${token}`;
}

export function anonLockKey(workspaceId: number, anonymousId: string): string {
  return `ws:${workspaceId}:anon:${anonymousId}`;
}

export function eventLockKey(workspaceId: number, eventId: string): string {
  return `ws:${workspaceId}:event:${eventId}`;
}
