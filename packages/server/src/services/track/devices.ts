import type { Tx } from '../../store/store.js';
import { deleteDevice, findDevice, upsertDevice } from '../../store/track/devices.js';
import { dict, findPerson, findPersonByPid } from '../../store/track/people.js';
import { recordActivities, type ActivityInput } from '../../store/activities/activities.js';
import { InvalidInputError } from '../../lib/errors.js';
import { mergeAttributes } from './attributes.js';
import type { WriteContext, WriteEffects } from './context.js';
import { byteLength, refLockKey, tokenLockKey, type PersonRef } from './identifiers.js';
import {
  checkAttributes,
  MAX_ATTRIBUTE_VALUE_BYTES,
  parseTimestamp,
  ValidationErrors,
  writeTime,
} from './limits.js';
import { activity, findOrCreate, identifiersOf } from './people-ops.js';

export interface DeviceCommand {
  ref: PersonRef;
  token: string;
  /** Lower-cased: the iOS SDK sends "iOS" (docs/track-api.md §5). */
  platform: string;
  lastUsed: number | undefined;
  attributes: Array<[string, unknown]>;
}

/** Keys of `device` that are not device attributes; anything else at the top level is (Ruby, Python). */
const DEVICE_FIELDS = new Set(['id', 'token', 'platform', 'last_used', 'attributes', '_last_status']);

/**
 * Parses `device` leniently (docs/track-api.md §5): v1 names the token `id`, v2 `token`; `last_used` may be a
 * numeric string (Go); `attributes` may be null (Go) or the extras may sit beside `id` (Ruby, Python).
 * `_last_status` is read-only and ignored.
 */
export function parseDevice(device: unknown, ref: PersonRef, tokenKey: 'id' | 'token'): DeviceCommand {
  if (typeof device !== 'object' || device === null || Array.isArray(device))
    throw new ValidationErrors(['device is required'], 'device', 'required');
  const d = device as Record<string, unknown>;
  const messages: string[] = [];
  let field = `device.${tokenKey}`;
  const rawToken = d[tokenKey] ?? d[tokenKey === 'id' ? 'token' : 'id'];
  const token =
    typeof rawToken === 'string' ? rawToken : typeof rawToken === 'number' ? String(rawToken) : '';
  if (token.trim() === '') messages.push(`device ${tokenKey} is required`);
  else if (byteLength(token) > MAX_ATTRIBUTE_VALUE_BYTES)
    messages.push(`value for attribute 'token' cannot be longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes`);
  const platform = typeof d.platform === 'string' ? d.platform.trim().toLowerCase() : '';
  if (platform === '') {
    if (messages.length === 0) field = 'device.platform';
    messages.push('device platform is required');
  }
  if (
    d.attributes !== undefined &&
    d.attributes !== null &&
    (typeof d.attributes !== 'object' || Array.isArray(d.attributes))
  ) {
    if (messages.length === 0) field = 'device.attributes';
    messages.push('device attributes must be an object');
  }
  if (messages.length > 0) throw new ValidationErrors(messages, field, token === '' ? 'required' : 'invalid');
  const attributes: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(d)) if (!DEVICE_FIELDS.has(k)) attributes.push([k, v]);
  for (const [k, v] of Object.entries((d.attributes as Record<string, unknown> | null) ?? {}))
    if (k !== '_last_status') attributes.push([k, v]);
  checkAttributes(attributes, 'device.attributes');
  return { ref, token, platform, lastUsed: parseTimestamp(d.last_used, 'device.last_used'), attributes };
}

export function deviceLockKeys(workspaceId: number, ref: PersonRef, token: string): string[] {
  return [refLockKey(workspaceId, ref), tokenLockKey(workspaceId, token)];
}

/**
 * Adds or updates a device. A token belongs to one person per workspace: adding it to B moves it
 * from A, and both histories say so (Customer.io duplicates it; its users asked for this; docs/track-api.md §5).
 */
export async function addDevice(
  trx: Tx,
  ctx: WriteContext,
  cmd: DeviceCommand,
  fx: WriteEffects,
): Promise<void> {
  const ws = ctx.workspace.id;
  const lastUsed = writeTime(cmd.lastUsed, ctx.now, 'device.last_used');
  const person = await findOrCreate(trx, ctx, cmd.ref, fx);
  if (!person) return;
  const existing = await findDevice(trx, ws, cmd.token);
  const merged = mergeAttributes(existing?.attributes ?? dict(), dict(), cmd.attributes, 0);
  await upsertDevice(
    trx,
    ws,
    cmd.token,
    { personPid: person.pid, platform: cmd.platform, lastUsed, attributes: merged.attributes },
    ctx.now,
    existing !== undefined,
  );
  const base = { token: cmd.token, platform: cmd.platform };
  const activities: ActivityInput[] = [];
  if (!existing) {
    activities.push(
      activity(ctx, person, { type: 'device_change', name: cmd.token, data: { action: 'added', ...base } }),
    );
  } else if (existing.personPid !== person.pid) {
    const previous = await findPersonByPid(trx, person.workspaceId, existing.personPid);
    const from = previous ? identifiersOf(previous) : null;
    if (previous) {
      activities.push(
        activity(ctx, previous, {
          type: 'device_change',
          name: cmd.token,
          data: { action: 'moved_out', ...base, to: identifiersOf(person) },
        }),
      );
      fx.changed.add(previous.pid);
    }
    activities.push(
      activity(ctx, person, {
        type: 'device_change',
        name: cmd.token,
        data: { action: 'moved_in', ...base, from },
      }),
    );
  } else {
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (existing.platform !== cmd.platform) changes.platform = { from: existing.platform, to: cmd.platform };
    if (existing.lastStatus !== '') changes.last_status = { from: existing.lastStatus, to: '' };
    for (const [k, c] of Object.entries(merged.changes)) changes[`attributes.${k}`] = c;
    // last_used moves on every registration; on its own it is not worth a history entry.
    if (Object.keys(changes).length > 0)
      activities.push(
        activity(ctx, person, {
          type: 'device_change',
          name: cmd.token,
          data: { action: 'updated', ...base, changes },
        }),
      );
  }
  await recordActivities(trx, activities);
  fx.changed.add(person.pid);
}

/** Deletes the token from the person; a token that is not theirs (or unknown) is left alone, 200. */
export async function removeDevice(
  trx: Tx,
  ctx: WriteContext,
  ref: PersonRef,
  token: string,
  fx: WriteEffects,
): Promise<void> {
  const person = await findPerson(trx, ctx.workspace.id, ref);
  if (!person) return;
  const device = await findDevice(trx, ctx.workspace.id, token);
  if (!device || device.personPid !== person.pid) return;
  await deleteDevice(trx, ctx.workspace.id, token);
  await recordActivities(trx, [
    activity(ctx, person, {
      type: 'device_change',
      name: token,
      data: { action: 'deleted', token, platform: device.platform },
    }),
  ]);
  fx.changed.add(person.pid);
}

export function requireToken(value: unknown, field: string): string {
  const token = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  if (token === '') throw new InvalidInputError(field, `${field} is required`, 'required');
  return token;
}
