import { InvalidInputError } from '../../lib/errors.js';

/**
 * A Pipelines time: an ISO-8601 string, or a number of epoch **milliseconds** (what Customer.io
 * reads a bare integer as, docs/pipelines.md "Routes"). Unix seconds (float), or undefined when absent.
 */
export function readTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    // Date.parse alone accepts loose forms ("5"); a date must start like one.
    ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  } else ms = NaN;
  if (!Number.isFinite(ms) || ms < 0)
    throw new InvalidInputError(field, `${field} must be an ISO-8601 date`, 'invalid');
  return ms / 1000;
}

/** How far in the future a client clock may be before its `timestamp` is corrected from `sentAt`. */
export const FUTURE_SKEW_S = 5 * 60;

/**
 * When an event happened, in unix seconds (docs/pipelines.md "What maps to what"):
 * 1. `timestamp` as sent — backfills and queued phone events keep their time — unless it lies more
 *    than five minutes after the receive time and a `sentAt` exists: then the device clock is wrong
 *    and `receivedAt − (sentAt − timestamp)` corrects it;
 * 2. else `originalTimestamp` (RudderStack), corrected the same way when `sentAt` exists;
 * 3. else the receive time.
 */
export function eventTime(
  event: { timestamp?: unknown; originalTimestamp?: unknown; sentAt?: unknown },
  envelopeSentAt: unknown,
  receivedAt: number,
): number {
  const sentAt = readTime(event.sentAt, 'sentAt') ?? readTime(envelopeSentAt, 'sentAt');
  const timestamp = readTime(event.timestamp, 'timestamp');
  if (timestamp !== undefined) {
    if (timestamp > receivedAt + FUTURE_SKEW_S && sentAt !== undefined)
      return Math.floor(receivedAt - (sentAt - timestamp));
    return Math.floor(Math.min(timestamp, receivedAt + FUTURE_SKEW_S));
  }
  const original = readTime(event.originalTimestamp, 'originalTimestamp');
  if (original !== undefined)
    return Math.floor(sentAt !== undefined ? receivedAt - (sentAt - original) : original);
  return Math.floor(receivedAt);
}
