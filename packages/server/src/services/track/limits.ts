import { InvalidInputError } from '../../lib/errors.js';
import { byteLength } from './identifiers.js';

/** Customer.io's per-person limits (spec §6.5): names 150 bytes, values 1000 bytes, 300 attributes. */
export const MAX_ATTRIBUTE_NAME_BYTES = 150;
export const MAX_ATTRIBUTE_VALUE_BYTES = 1000;
export const MAX_ATTRIBUTES = 300;
/** Event limits (spec §7.1). */
export const MAX_EVENT_NAME_BYTES = 100;
export const MAX_EVENT_DATA_BYTES = 100_000;

/** Several validation messages at once, as Customer.io lists them in `meta.errors`. */
export class ValidationErrors extends InvalidInputError {
  constructor(
    readonly messages: string[],
    field: string,
    reason = 'invalid',
  ) {
    super(field, messages.join('; '), reason);
    this.name = 'ValidationErrors';
  }
}

/** Bytes of a value as stored: strings as UTF-8, anything else as its JSON. */
export function valueBytes(value: unknown): number {
  return typeof value === 'string' ? byteLength(value) : byteLength(JSON.stringify(value) ?? '');
}

/** Checks names and values of an attribute update; throws every problem found at once. */
export function checkAttributes(
  entries: ReadonlyArray<readonly [string, unknown]>,
  field = 'attributes',
): void {
  const messages: string[] = [];
  let firstField = field;
  if (entries.length > MAX_ATTRIBUTES)
    messages.push(`cannot set more than ${MAX_ATTRIBUTES} attributes in one request`);
  for (const [name, value] of entries) {
    if (byteLength(name) > MAX_ATTRIBUTE_NAME_BYTES) {
      messages.push(
        `attribute name '${name.slice(0, 40)}…' cannot be longer than ${MAX_ATTRIBUTE_NAME_BYTES} bytes`,
      );
      if (messages.length === 1) firstField = `${field}.${name.slice(0, 40)}`;
    } else if (name.trim() === '') {
      messages.push('attribute names cannot be blank');
    }
    if (valueBytes(value) > MAX_ATTRIBUTE_VALUE_BYTES) {
      messages.push(`value for attribute '${name}' cannot be longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes`);
      if (messages.length === 1) firstField = `${field}.${name}`;
    }
  }
  if (messages.length > 0) throw new ValidationErrors(messages, firstField, 'too_long');
}

/**
 * Unix seconds from a number or numeric string. Values from 1e11 up are taken as milliseconds and
 * converted (Ruby's client rejects them; converting is what a user sending `Date.now()` means).
 */
export function parseTimestamp(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
    throw new InvalidInputError(field, `${field} must be a unix timestamp in seconds`, 'invalid');
  const seconds = n >= 1e11 ? n / 1000 : n;
  return Math.floor(seconds);
}
