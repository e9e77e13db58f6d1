import type { Call } from './calls.js';
import { deviceAttributes } from './device-attributes.js';
import type { RosterEvents } from './events.js';
import { identifiersFor } from './identifiers.js';
import { toJsonObject, type JsonObject } from './json.js';
import { addDeviceOp, deleteDeviceOp, deliveryOp, eventOp, identifyOp } from './ops.js';
import type { DeviceInfo } from './platform.js';
import type { PersistedState, Task } from './state.js';
import { makeTask } from './task.js';
import type { PersonOp } from './wire.js';

export interface PlanContext {
  now: number;
  nextId: () => string;
  device: DeviceInfo;
  autoDeviceAttributes: boolean;
  /** Default `device.platform` when device info has none. */
  platform: string;
}

export type Plan = { tasks: Task[] } | { error: RosterEvents['error'] };

/**
 * The identity state machine (packages/sdk/README.md "The identify flows"): turns one call into the
 * ops to queue, in wire order, and updates identity fields on `state`. The caller commits both in
 * one write.
 */
export function plan(state: PersistedState, call: Call, ctx: PlanContext): Plan {
  switch (call.method) {
    case 'identify':
      return identify(state, call.identifier, toJsonObject(call.body), call.signature, ctx);
    case 'clearIdentify': {
      const tasks =
        state.identifier && state.token
          ? [deleteDevice(state.identifier, state.signature, state.token, ctx)]
          : [];
      state.identifier = null;
      state.signature = null;
      state.pendingProfile = {};
      state.anonymousId = ctx.nextId(); // a fresh anonymous person; the token stays for the next login
      state.anonymousActivity = false;
      return { tasks };
    }
    case 'setProfileAttributes': {
      const attrs = toJsonObject(call.attributes);
      if (!state.identifier) {
        // Kept for the next identify instead of ignored (the classic SDKs drop these).
        state.pendingProfile = { ...state.pendingProfile, ...attrs };
        return { tasks: [] };
      }
      const op = signed(identifyOp(identifiersFor(state.identifier), attrs, ctx.now), state.signature);
      return { tasks: [makeTask(ctx.nextId(), 'identify', op, ctx.now)] };
    }
    case 'setDeviceAttributes':
      state.deviceAttributes = { ...state.deviceAttributes, ...toJsonObject(call.attributes) };
      return { tasks: registration(state, ctx, 'always') };
    case 'registerDeviceToken': {
      const token = call.token.trim();
      if (!token) return { error: { code: 'blank_token', message: 'registerDeviceToken: token is blank' } };
      const old = state.token;
      state.token = token;
      // A new token replaces the old one on the person (the classic SDKs left the old one behind).
      const tasks =
        state.identifier && old && old !== token
          ? [deleteDevice(state.identifier, state.signature, old, ctx)]
          : [];
      return { tasks: [...tasks, ...registration(state, ctx, 'always')] };
    }
    case 'deleteDeviceToken': {
      const tasks =
        state.identifier && state.token
          ? [deleteDevice(state.identifier, state.signature, state.token, ctx)]
          : [];
      // Forgotten locally too, so the next identify does not re-attach a token the app withdrew.
      state.token = null;
      return { tasks };
    }
    case 'track':
    case 'screen':
    case 'page': {
      const name = call.name.trim();
      if (!name) return { error: { code: 'blank_name', message: `${call.method}: name is blank` } };
      const who = state.identifier ? identifiersFor(state.identifier) : { anonymous_id: state.anonymousId };
      if (!state.identifier) state.anonymousActivity = true;
      const id = ctx.nextId();
      const op = signed(
        eventOp(
          who,
          call.method === 'track' ? 'event' : call.method,
          id,
          name,
          toJsonObject(call.data),
          ctx.now,
        ),
        state.identifier ? state.signature : null,
      );
      return { tasks: [makeTask(id, 'event', op, ctx.now)] };
    }
    case 'trackMetric': {
      const { deliveryId, event, deviceToken } = call.metric;
      const op = deliveryOp(deliveryId, event, deviceToken, ctx.now);
      return { tasks: [makeTask(ctx.nextId(), 'metric', op, ctx.now)] };
    }
    case 'launch':
      return { tasks: registration(state, ctx, 'if_changed') };
  }
}

function identify(
  state: PersistedState,
  raw: string,
  body: JsonObject,
  signature: string | undefined,
  ctx: PlanContext,
): Plan {
  const identifier = raw.trim();
  if (!identifier) return { error: { code: 'blank_identifier', message: 'identify: identifier is blank' } };
  const previous = state.identifier;
  const tasks: Task[] = [];
  // Switching people: take the device off the previous person first, as the classic SDKs do.
  if (previous && previous !== identifier && state.token)
    tasks.push(deleteDevice(previous, state.signature, state.token, ctx));
  const attributes: JsonObject = { ...state.pendingProfile, ...body };
  if (state.anonymousActivity) attributes.anonymous_id = state.anonymousId;
  // Another identify replaces the signature (with none when none is given): it belongs to one identifier.
  const sig = signature?.trim() || null;
  const op = signed(identifyOp(identifiersFor(identifier), attributes, ctx.now), sig);
  // A registration follows: on a new person it must not overtake the identify that creates them.
  tasks.push(
    makeTask(ctx.nextId(), 'identify', op, ctx.now, previous !== identifier && state.token !== null),
  );
  state.identifier = identifier;
  state.signature = sig;
  state.pendingProfile = {};
  state.anonymousActivity = false;
  // A new person gets the token at once; the same person again only when the device changed or a
  // day passed (apps identify at every start; most starts should cost no request).
  return {
    tasks: [...tasks, ...registration(state, ctx, previous !== identifier ? 'always' : 'if_changed')],
  };
}

/**
 * How long an unchanged device may go without being re-sent: once a day keeps the server's
 * `last_used` fresh to the day (what "active devices" segments need) at one request a day.
 */
export const DEVICE_REFRESH_MS = 24 * 3600 * 1000;

/**
 * add_device for the current person and token with automatic ⊕ custom attributes, if both exist.
 * `if_changed` (launch, foreground, re-identify of the same person) skips the request when the same
 * person, token, platform and attributes were queued less than `DEVICE_REFRESH_MS` ago.
 */
function registration(state: PersistedState, ctx: PlanContext, when: 'always' | 'if_changed'): Task[] {
  if (!state.identifier || !state.token) return [];
  const attrs = deviceAttributes(ctx.device, state.deviceAttributes, ctx.autoDeviceAttributes);
  const platform = ctx.device.platform ?? ctx.platform;
  const fingerprint = JSON.stringify([state.identifier, state.token, platform, attrs]);
  const last = state.deviceSent;
  if (when === 'if_changed' && last?.fingerprint === fingerprint && ctx.now - last.at < DEVICE_REFRESH_MS)
    return [];
  state.deviceSent = { fingerprint, at: ctx.now };
  const op = signed(
    addDeviceOp(identifiersFor(state.identifier), state.token, platform, attrs, ctx.now),
    state.signature,
  );
  return [makeTask(ctx.nextId(), 'device', op, ctx.now)];
}

/** delete_device ends its batch: the next person's ops wait until it is acknowledged. */
function deleteDevice(
  identifier: string,
  signature: string | null | undefined,
  token: string,
  ctx: PlanContext,
): Task {
  return makeTask(
    ctx.nextId(),
    'device',
    signed(deleteDeviceOp(identifiersFor(identifier), token, ctx.now), signature),
    ctx.now,
    true,
  );
}

/**
 * Signed identify (contracts: Track v2 `identity_signature` beside `identifiers`): every person op of
 * a signed identity carries the token captured when it was queued, so a later identify cannot
 * re-sign ops already queued for someone else. Anonymous ops and push metrics carry none.
 */
function signed<T extends PersonOp>(op: T, signature: string | null | undefined): T {
  return signature ? { ...op, identity_signature: signature } : op;
}
