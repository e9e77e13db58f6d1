import type { Tx } from '../../store/store.js';
import { eventExists, findAnonymousLink, insertEvent } from '../../store/track/events.js';
import { findPersonByPid } from '../../store/track/people.js';
import { ulid } from '../../lib/ulid.js';
import { recordActivities, type ActivityType } from '../../store/activities/activities.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { TrackWrite, WriteContext, WriteEffects } from './context.js';
import { anonLockKey, byteLength, eventLockKey, refLockKey, type PersonRef } from './identifiers.js';
import {
  MAX_EVENT_DATA_BYTES,
  MAX_EVENT_NAME_BYTES,
  parseTimestamp,
  ValidationErrors,
  writeTime,
} from './limits.js';
import { activity, findOrCreate } from './people-ops.js';

export type EventType = 'event' | 'page' | 'screen';

/** A validated event, for a person (`ref`) or anonymous (`anonymousId`, possibly none: an invite). */
export interface EventCommand {
  ref: PersonRef | undefined;
  anonymousId: string | undefined;
  type: EventType;
  name: string;
  data: Record<string, unknown>;
  /** The client's ULID (dedupe), or one generated here. */
  eventId: string;
  /**
   * Whether the client gave the id. One generated here is new by construction (a monotonic ULID
   * with 80 random bits): nothing looks it up or locks it.
   */
  clientId: boolean;
  timestamp: number | undefined;
}

/** Crockford base32, 26 characters, first character ≤ 7 (docs/track-api.md §6). */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;

export interface RawEvent {
  name: unknown;
  data: unknown;
  id: unknown;
  timestamp: unknown;
  type: unknown;
}

/** Validates an event body (v1 `data`, v2 `attributes`) with Customer.io's messages (docs/track-api.md §6). */
export function parseEvent(
  raw: RawEvent,
  target: { ref?: PersonRef; anonymousId?: unknown },
  lenientData: boolean,
  dataField = 'data',
): EventCommand {
  const messages: string[] = [];
  let field = 'name';
  const name =
    typeof raw.name === 'string' ? raw.name.trim() : typeof raw.name === 'number' ? String(raw.name) : '';
  if (name === '') messages.push('event name is required');
  else if (byteLength(name) > MAX_EVENT_NAME_BYTES)
    messages.push(`event name cannot be longer than ${MAX_EVENT_NAME_BYTES} bytes`);
  let data: Record<string, unknown> = {};
  if (raw.data === null || raw.data === undefined) {
    if (raw.data === null && !lenientData) messages.push('event data must be a hash');
  } else if (typeof raw.data !== 'object' || Array.isArray(raw.data)) {
    if (messages.length === 0) field = dataField;
    messages.push('event data must be a hash');
  } else {
    data = raw.data as Record<string, unknown>;
    if (byteLength(JSON.stringify(data)) > MAX_EVENT_DATA_BYTES) {
      if (messages.length === 0) field = dataField;
      messages.push(`event data cannot be longer than ${MAX_EVENT_DATA_BYTES} bytes`);
    }
  }
  let eventId: string | undefined;
  if (raw.id !== undefined && raw.id !== null && raw.id !== '') {
    if (typeof raw.id !== 'string' || !ULID.test(raw.id)) {
      if (messages.length === 0) field = 'id';
      messages.push('event id must be a valid ULID');
    } else eventId = raw.id.toUpperCase();
  }
  const anon = target.anonymousId;
  if (anon !== undefined && anon !== null && typeof anon !== 'string') {
    if (messages.length === 0) field = 'anonymous_id';
    messages.push('anonymous_id must be a string');
  }
  if (messages.length > 0) throw new ValidationErrors(messages, field, name === '' ? 'required' : 'invalid');
  const type: EventType = raw.type === 'page' || raw.type === 'screen' ? raw.type : 'event';
  return {
    ref: target.ref,
    anonymousId: typeof anon === 'string' && anon !== '' ? anon : undefined,
    type,
    name,
    data,
    eventId: eventId ?? ulid(),
    clientId: eventId !== undefined,
    timestamp: parseTimestamp(raw.timestamp, 'timestamp'),
  };
}

/** The identities an event write locks: its person or anonymous id, and a client-given event id. */
export function eventLockKeys(workspaceId: number, cmd: EventCommand): string[] {
  const keys = cmd.clientId ? [eventLockKey(workspaceId, cmd.eventId)] : [];
  if (cmd.ref) keys.push(refLockKey(workspaceId, cmd.ref));
  if (cmd.anonymousId) keys.push(anonLockKey(workspaceId, cmd.anonymousId));
  return keys;
}

/** The Track write that stores `cmd` (`trackEvent`), with what its transaction reads up front. */
export function eventWrite(workspaceId: number, cmd: EventCommand): TrackWrite {
  return {
    lockKeys: eventLockKeys(workspaceId, cmd),
    events: [{ id: cmd.clientId ? cmd.eventId : undefined, name: cmd.name }],
    run: (trx, ctx, fx) => trackEvent(trx, ctx, cmd, fx),
  };
}

/**
 * Stores an event. A replayed ULID stores nothing new. An event for an unknown person creates that
 * person. An anonymous event whose anonymous id was already merged goes straight to that person.
 */
export async function trackEvent(
  trx: Tx,
  ctx: WriteContext,
  cmd: EventCommand,
  fx: WriteEffects,
): Promise<void> {
  const ws = ctx.workspace.id;
  const timestamp = writeTime(cmd.timestamp, ctx.now);
  if (cmd.clientId && (await eventExists(trx, ws, cmd.eventId))) return;
  let person = cmd.ref ? await findOrCreate(trx, ctx, cmd.ref, fx) : undefined;
  if (cmd.ref && !person) return; // suppressed, or an unknown cio_id
  if (!person && cmd.anonymousId) {
    const linked = await findAnonymousLink(trx, ws, cmd.anonymousId);
    if (linked !== undefined) person = await findPersonByPid(trx, ws, linked);
  }
  await insertEvent(
    trx,
    ws,
    {
      eventId: cmd.eventId,
      personPid: person?.pid ?? null,
      anonymousId: cmd.anonymousId ?? null,
      type: cmd.type,
      name: cmd.name,
      data: cmd.data,
      timestamp,
    },
    ctx.now,
  );
  if (!person) return;
  await recordActivities(trx, [
    activity(ctx, person, { type: cmd.type as ActivityType, name: cmd.name, data: cmd.data, timestamp }),
  ]);
  fx.changed.add(person.pid);
  fx.events?.push({
    workspaceId: ws,
    personPid: person.pid,
    eventId: cmd.eventId,
    type: cmd.type,
    name: cmd.name,
    data: cmd.data,
    timestamp,
  });
}

export function requireObject(body: unknown, field = 'body'): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidInputError(
      field,
      `${field === 'body' ? 'request body' : field} must be a JSON object`,
      'invalid',
    );
  return body as Record<string, unknown>;
}
