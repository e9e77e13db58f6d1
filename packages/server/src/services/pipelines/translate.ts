import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { storedEmail } from '../identity/email.js';
import { findPerson } from '../../store/track/people.js';
import { attachAnonymous } from '../track/anonymous.js';
import type { TrackWrite } from '../track/context.js';
import { METRICS, recordMetric, type MetricCommand } from '../track/delivery.js';
import { addDevice, deviceLockKeys, parseDevice, removeDevice, requireToken } from '../track/devices.js';
import { eventWrite, parseEvent } from '../track/events.js';
import {
  anonLockKey,
  isEmail,
  pathRef,
  refLockKey,
  tokenLockKey,
  type PersonRef,
} from '../track/identifiers.js';
import { identify } from '../track/identify.js';
import { identifyLockKeys, parseIdentify } from '../track/identify-command.js';
import { deletePerson, suppressPerson, unsuppressPerson } from '../track/lifecycle.js';
import { mergeLockKeys, mergePeople } from '../track/merge.js';
import { applyGroupCall, applyObjectEvent } from './object-calls.js';
import type { PipelinesEvent } from './pipelines-event.js';

/** What one Pipelines call becomes: a Track write, or nothing worth writing (said why). */
export type Translation = { write: TrackWrite } | { skip: string; reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectField(raw: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = raw[name];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new InvalidInputError(name, `${name} must be an object`, 'invalid');
  return v;
}

/** A string id; numbers are ids too (RudderStack and the legacy client stringify them). */
function idString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new InvalidInputError(field, `${field} must be a string`, 'invalid');
}

/** `userId` resolves like a Track API path identifier: `cio_…`, an email, else an id (docs/pipelines.md "What maps to what"). */
function userRef(ws: Workspace, raw: Record<string, unknown>): PersonRef | undefined {
  const userId = idString(raw.userId, 'userId');
  return userId === undefined ? undefined : pathRef(userId, ws.identifierMode, 'userId');
}

function requireUser(ws: Workspace, raw: Record<string, unknown>, what: string): PersonRef {
  const ref = userRef(ws, raw);
  if (!ref) throw new InvalidInputError('userId', `${what} requires a userId`, 'required');
  return ref;
}

/** Customer.io's semantic events (docs/pipelines.md "What maps to what"): executed, not stored as ordinary events. */
const DEVICE_UPDATED = 'Device Created or Updated';
const DEVICE_DELETED = 'Device Deleted';
const USER_DELETED = 'User Deleted';
const USER_SUPPRESSED = 'User Suppressed';
const USER_UNSUPPRESSED = 'User Unsuppressed';
const DELIVERY_EVENT = 'Report Delivery Event';
/** Objects (docs/objects.md): a person's relationship, or the object itself, goes. */
const OBJECT_EVENTS = new Set(['Relationship Deleted', 'Object Deleted']);

/** Traits: `createdAt`/`created_at` ISO strings become unix seconds under `created_at` (docs/pipelines.md "What maps to what"). */
function personTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(traits)) {
    // Track API instructions are not Pipelines traits: a trait never changes how the write runs.
    if (k === '_timestamp' || k === '_update' || k === 'anonymous_id' || k === 'cio_relationships') continue;
    if (k === 'createdAt' || k === 'created_at') continue;
    out[k] = v;
  }
  const created = traits.created_at ?? traits.createdAt;
  if (created !== undefined) out.created_at = createdAtSeconds(created);
  return out;
}

function createdAtSeconds(v: unknown): unknown {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  return v;
}

/**
 * `push_enabled` as a boolean whichever form arrives (iOS sends "true", Android true), so one
 * segment condition covers both platforms; anything else is kept as sent.
 */
function deviceAttributes(
  properties: Record<string, unknown>,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(properties)) {
    if (k === 'device') continue;
    out[k] = k === 'push_enabled' && (v === 'true' || v === 'false') ? v === 'true' : v;
  }
  const app = isObject(context.app) ? context.app : {};
  if (out.app_version === undefined && typeof app.version === 'string') out.app_version = app.version;
  return out;
}

/** `context.device` first, then `properties.device` (the web form and Android's migration, docs/pipelines.md "What maps to what"). */
function deviceOf(
  properties: Record<string, unknown>,
  context: Record<string, unknown>,
): { token: unknown; type: unknown } {
  const fromContext = isObject(context.device) ? context.device : {};
  const fromProps = isObject(properties.device) ? properties.device : {};
  return {
    token: fromContext.token ?? fromProps.token,
    type: fromContext.type ?? fromProps.type ?? fromProps.platform,
  };
}

/**
 * Translates one call onto the Track API's writes (docs/pipelines.md "What maps to what"), so both wires share one write path:
 * people, attributes, devices, events, suppression, segments and history behave the same.
 * Throws `InvalidInputError` for an event that cannot be applied; the caller drops it alone.
 */
export function translate(ws: Workspace, event: PipelinesEvent): Translation {
  const { raw } = event;
  switch (event.type) {
    case 'identify':
      return identifyCall(ws, event);
    case 'track':
      return trackCall(ws, event);
    case 'page':
    case 'screen':
      return viewCall(ws, event);
    case 'alias':
      return aliasCall(ws, event);
    case 'group': {
      const ref = requireUser(ws, raw, 'group');
      const groupId = idString(raw.groupId, 'groupId');
      if (!groupId) throw new InvalidInputError('groupId', 'group requires a groupId', 'required');
      const traits = objectField(raw, 'traits');
      const typeId = traits.object_type_id ?? traits.objectTypeId;
      return {
        write: applyGroupCall(ws.id, {
          ref,
          groupId,
          objectTypeId: typeId === undefined || typeId === null ? '1' : String(typeId),
          traits,
          timestamp: event.at,
        }),
      };
    }
  }
}

function identifyCall(ws: Workspace, event: PipelinesEvent): Translation {
  const { raw } = event;
  const traits = objectField(raw, 'traits');
  const anonymousId = idString(raw.anonymousId, 'anonymousId');
  let ref = userRef(ws, raw);
  // "You can pass an empty userId … and identify people by their email trait" (docs/pipelines.md "What maps to what").
  if (!ref && typeof traits.email === 'string' && isEmail(traits.email) && ws.identifierMode !== 'id')
    ref = { kind: 'email', value: storedEmail(traits.email) };
  if (!ref) {
    if (anonymousId)
      return {
        skip: 'traits of an anonymous visitor are not kept; they apply once an identify names the person',
        reason: 'anonymous_identify',
      };
    throw new InvalidInputError(
      'userId',
      'identify requires a userId, traits.email or anonymousId',
      'required',
    );
  }
  const body: Record<string, unknown> = personTraits(traits);
  if (anonymousId) body.anonymous_id = anonymousId;
  const cmd = parseIdentify(ref, body, ws.identifierMode, event.at);
  return {
    write: { lockKeys: identifyLockKeys(ws.id, cmd), run: (trx, ctx, fx) => identify(trx, ctx, cmd, fx) },
  };
}

function trackCall(ws: Workspace, event: PipelinesEvent): Translation {
  const { raw } = event;
  const name = typeof raw.event === 'string' ? raw.event : '';
  const properties = objectField(raw, 'properties');
  const context = objectField(raw, 'context');
  switch (name) {
    case DEVICE_UPDATED:
      return deviceUpdated(ws, event, properties, context);
    case DEVICE_DELETED: {
      const ref = requireUser(ws, raw, DEVICE_DELETED);
      const token = requireToken(deviceOf(properties, context).token, 'context.device.token');
      return {
        write: {
          lockKeys: deviceLockKeys(ws.id, ref, token),
          run: (trx, ctx, fx) => removeDevice(trx, ctx, ref, token, fx),
        },
      };
    }
    case USER_DELETED: {
      const ref = requireUser(ws, raw, USER_DELETED);
      return {
        write: { lockKeys: [refLockKey(ws.id, ref)], run: (trx, ctx, fx) => deletePerson(trx, ctx, ref, fx) },
      };
    }
    case USER_SUPPRESSED: {
      const ref = requireUser(ws, raw, USER_SUPPRESSED);
      return {
        write: {
          lockKeys: [refLockKey(ws.id, ref)],
          run: (trx, ctx, fx) => suppressPerson(trx, ctx, ref, fx),
        },
      };
    }
    case USER_UNSUPPRESSED: {
      const ref = requireUser(ws, raw, USER_UNSUPPRESSED);
      return {
        write: { lockKeys: [refLockKey(ws.id, ref)], run: (trx, ctx) => unsuppressPerson(trx, ctx, ref) },
      };
    }
    case DELIVERY_EVENT:
      return deliveryCall(ws, event, properties, context);
  }
  if (OBJECT_EVENTS.has(name))
    return {
      write: applyObjectEvent(
        ws.id,
        name as 'Relationship Deleted' | 'Object Deleted',
        properties,
        userRef(ws, raw),
        event.at,
      ),
    };
  return plainEvent(ws, event, properties);
}

/** `Device Created or Updated`: a device for a known person; an anonymous one is noted, not stored. */
function deviceUpdated(
  ws: Workspace,
  event: PipelinesEvent,
  properties: Record<string, unknown>,
  context: Record<string, unknown>,
): Translation {
  const { raw } = event;
  const device = deviceOf(properties, context);
  const ref = userRef(ws, raw);
  if (!ref) {
    requireToken(device.token, 'context.device.token');
    return {
      skip: 'a device without a userId is not stored; the SDKs send it again after identify',
      reason: 'anonymous_device',
    };
  }
  const cmd = parseDevice(
    {
      token: requireToken(device.token, 'context.device.token'),
      platform: device.type,
      last_used: event.at,
      attributes: deviceAttributes(properties, context),
    },
    ref,
    'token',
  );
  return {
    write: {
      lockKeys: deviceLockKeys(ws.id, ref, cmd.token),
      run: (trx, ctx, fx) => addDevice(trx, ctx, cmd, fx),
    },
  };
}

/** Any other track call: an event of the person, or of the anonymous visitor. */
function plainEvent(ws: Workspace, event: PipelinesEvent, properties: Record<string, unknown>): Translation {
  const { raw } = event;
  const anonymousId = idString(raw.anonymousId, 'anonymousId');
  const ref = userRef(ws, raw);
  if (!ref && !anonymousId)
    throw new InvalidInputError('userId', 'track requires a userId or an anonymousId', 'required');
  const cmd = parseEvent(
    { name: raw.event, data: properties, id: undefined, timestamp: event.at, type: 'event' },
    ref ? { ref } : { anonymousId },
    true,
    'properties',
  );
  return {
    write: eventWrite(ws.id, cmd),
  };
}

/**
 * `Report Delivery Event` (docs/pipelines.md "What maps to what"): a message metric keyed by `properties.deliveryId`; its
 * `anonymousId` is a delivery id, never a person.
 */
function deliveryCall(
  ws: Workspace,
  event: PipelinesEvent,
  properties: Record<string, unknown>,
  context: Record<string, unknown>,
): Translation {
  const deliveryId = idString(properties.deliveryId ?? properties.delivery_id, 'properties.deliveryId');
  if (!deliveryId)
    throw new InvalidInputError('properties.deliveryId', 'properties.deliveryId is required', 'required');
  const metric = typeof properties.metric === 'string' ? properties.metric.toLowerCase() : '';
  if (!METRICS.has(metric))
    throw new InvalidInputError(
      'properties.metric',
      `properties.metric must be one of ${[...METRICS].join(', ')}`,
    );
  const recipient = idString(properties.recipient, 'properties.recipient');
  const device = deviceOf(properties, context);
  const token =
    recipient && !isEmail(recipient) ? recipient : typeof device.token === 'string' ? device.token : null;
  const data: Record<string, unknown> = { ...properties, delivery_id: deliveryId, metric };
  const cmd: MetricCommand = { deliveryId, metric, deviceToken: token || null, timestamp: event.at, data };
  return {
    write: {
      lockKeys: cmd.deviceToken ? [tokenLockKey(ws.id, cmd.deviceToken)] : [],
      run: (trx, ctx, fx) => recordMetric(trx, ws, ctx.now, ctx.source, cmd, fx),
    },
  };
}

/** page → a page view named by `properties.url` (as the Track API names them), screen → by `name`. */
function viewCall(ws: Workspace, event: PipelinesEvent): Translation {
  const { raw } = event;
  const properties = objectField(raw, 'properties');
  const anonymousId = idString(raw.anonymousId, 'anonymousId');
  const ref = userRef(ws, raw);
  if (!ref && !anonymousId)
    throw new InvalidInputError('userId', `${event.type} requires a userId or an anonymousId`, 'required');
  const title = typeof raw.name === 'string' && raw.name !== '' ? raw.name : undefined;
  const url = typeof properties.url === 'string' && properties.url !== '' ? properties.url : undefined;
  const name = event.type === 'page' ? (url ?? title) : (title ?? (properties.name as string | undefined));
  if (!name)
    throw new InvalidInputError(
      event.type === 'page' ? 'properties.url' : 'name',
      event.type === 'page' ? 'page requires properties.url or a name' : 'screen requires a name',
      'required',
    );
  const data: Record<string, unknown> = { ...properties };
  if (title !== undefined && data.name === undefined) data.name = title;
  if (typeof raw.category === 'string' && data.category === undefined) data.category = raw.category;
  const cmd = parseEvent(
    { name, data, id: undefined, timestamp: event.at, type: event.type },
    ref ? { ref } : { anonymousId },
    true,
    'properties',
  );
  return {
    write: eventWrite(ws.id, cmd),
  };
}

/**
 * alias (docs/pipelines.md "What maps to what"): `userId` inherits `previousId`. When `previousId` names a person, the two
 * merge as the Track API's merge does; otherwise it is taken as an anonymous id, whose events
 * move onto the person as an identify carrying both ids would move them.
 */
function aliasCall(ws: Workspace, event: PipelinesEvent): Translation {
  const { raw } = event;
  const primary = requireUser(ws, raw, 'alias');
  const previousId = idString(raw.previousId, 'previousId');
  if (!previousId) throw new InvalidInputError('previousId', 'alias requires a previousId', 'required');
  let secondary: PersonRef | undefined;
  try {
    secondary = pathRef(previousId, ws.identifierMode, 'previousId');
  } catch {
    secondary = undefined; // not a person identifier here: an anonymous id
  }
  const keys = [refLockKey(ws.id, primary), anonLockKey(ws.id, previousId)];
  if (secondary) keys.push(...mergeLockKeys(ws.id, primary, secondary));
  return {
    write: {
      lockKeys: keys,
      run: async (trx, ctx, fx) => {
        const other = secondary ? await findPerson(trx, ws.id, secondary) : undefined;
        if (secondary && other) {
          await mergePeople(trx, ctx, primary, secondary, fx);
          return;
        }
        const person = await findPerson(trx, ws.id, primary);
        if (person) await attachAnonymous(trx, ctx, person, previousId, fx);
      },
    },
  };
}
