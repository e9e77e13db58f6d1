import { InvalidInputError } from '../../lib/errors.js';
import { byteLength } from './identifiers.js';

/** Customer.io's per-person limits (docs/track-api.md §4): names 150 bytes, values 1000 bytes, 300 attributes. */
export const MAX_ATTRIBUTE_NAME_BYTES = 150;
export const MAX_ATTRIBUTE_VALUE_BYTES = 1000;
export const MAX_ATTRIBUTES = 300;
/** Event limits (docs/track-api.md §6). */
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

/** Whether a value holds ±Infinity or NaN anywhere (values are at most a few KB: the walk is short). */
export function hasNonFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  for (const v of Object.values(value)) if (hasNonFinite(v, depth + 1)) return true;
  return false;
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
    if (hasNonFinite(value)) {
      // JSON numbers past ±1.8e308 (`1e309`) parse to ±Infinity, which JSON cannot hold: stored,
      // it became null, and null removes the attribute (docs/security.md).
      messages.push(`value for attribute '${name}' is not a finite number`);
      if (messages.length === 1) firstField = `${field}.${name}`;
    } else if (valueBytes(value) > MAX_ATTRIBUTE_VALUE_BYTES) {
      messages.push(`value for attribute '${name}' cannot be longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes`);
      if (messages.length === 1) firstField = `${field}.${name}`;
    }
  }
  if (messages.length > 0) throw new ValidationErrors(messages, firstField, 'too_long');
}

/**
 * How far ahead of the server's clock a client's timestamp may be: device clocks drift, but not by
 * days. Beyond this a timestamp is refused (400): it is a unit mistake (microseconds) or an attempt
 * to freeze attributes, since a change stamped in the year 10000 could never be overwritten
 * (docs/security.md).
 */
export const MAX_FUTURE_SKEW_SECONDS = 86_400;

/**
 * The time a write is applied at: the client's timestamp when given (up to
 * `MAX_FUTURE_SKEW_SECONDS` ahead of the receive time `now`, as clients' clocks drift), else `now`.
 * Further ahead is refused before anything is written.
 */
export function writeTime(timestamp: number | undefined, now: number, field = 'timestamp'): number {
  if (timestamp === undefined) return now;
  if (timestamp > now + MAX_FUTURE_SKEW_SECONDS)
    throw new InvalidInputError(
      field,
      `${field} ${timestamp} is more than a day ahead of the server's clock (${now}); send unix seconds`,
      'invalid',
    );
  return timestamp;
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
