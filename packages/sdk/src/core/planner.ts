import type { Call } from './calls.js';
import { deviceAttributes } from './device-attributes.js';
import type { RosterEvents } from './events.js';
import { identifiersFor } from './identifiers.js';
import { toJsonObject, type JsonObject } from './json.js';
import { addDeviceOp, deleteDeviceOp, deliveryOp, eventOp, identifyOp } from './ops.js';
import type { DeviceInfo } from './platform.js';
import type { PersistedState, Task } from './state.js';
import { makeTask } from './task.js';

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
 * The identity state machine (sdk.md §2, §3, §5 and §10): turns one call into the ops to queue, in
 * wire order, and updates identity fields on `state`. The caller commits both in one write.
 */
export function plan(state: PersistedState, call: Call, ctx: PlanContext): Plan {
  switch (call.method) {
    case 'identify':
      return identify(state, call.identifier, toJsonObject(call.body), ctx);
    case 'clearIdentify': {
      const tasks = state.identifier && state.token ? [deleteDevice(state.identifier, state.token, ctx)] : [];
      state.identifier = null;
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
      const op = identifyOp(identifiersFor(state.identifier), attrs, ctx.now);
      return { tasks: [makeTask(ctx.nextId(), 'identify', op, ctx.now)] };
    }
    case 'setDeviceAttributes':
      state.deviceAttributes = { ...state.deviceAttributes, ...toJsonObject(call.attributes) };
      return { tasks: registration(state, ctx) };
    case 'registerDeviceToken': {
      const token = call.token.trim();
      if (!token) return { error: { code: 'blank_token', message: 'registerDeviceToken: token is blank' } };
      const old = state.token;
      state.token = token;
      // A new token replaces the old one on the person (the classic SDKs left the old one behind).
      const tasks =
        state.identifier && old && old !== token ? [deleteDevice(state.identifier, old, ctx)] : [];
      return { tasks: [...tasks, ...registration(state, ctx)] };
    }
    case 'deleteDeviceToken': {
      const tasks = state.identifier && state.token ? [deleteDevice(state.identifier, state.token, ctx)] : [];
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
      const op = eventOp(
        who,
        call.method === 'track' ? 'event' : call.method,
        id,
        name,
        toJsonObject(call.data),
        ctx.now,
      );
      return { tasks: [makeTask(id, 'event', op, ctx.now)] };
    }
    case 'trackMetric': {
      const { deliveryId, event, deviceToken } = call.metric;
      const op = deliveryOp(deliveryId, event, deviceToken, ctx.now);
      return { tasks: [makeTask(ctx.nextId(), 'metric', op, ctx.now)] };
    }
    case 'launch':
      return { tasks: registration(state, ctx) };
  }
}

function identify(state: PersistedState, raw: string, body: JsonObject, ctx: PlanContext): Plan {
  const identifier = raw.trim();
  if (!identifier) return { error: { code: 'blank_identifier', message: 'identify: identifier is blank' } };
  const previous = state.identifier;
  const tasks: Task[] = [];
  // Switching people: take the device off the previous person first (sdk.md §2.1 step 3).
  if (previous && previous !== identifier && state.token)
    tasks.push(deleteDevice(previous, state.token, ctx));
  const attributes: JsonObject = { ...state.pendingProfile, ...body };
  if (state.anonymousActivity) attributes.anonymous_id = state.anonymousId;
  const op = identifyOp(identifiersFor(identifier), attributes, ctx.now);
  // A registration follows: on a new person it must not overtake the identify that creates them.
  tasks.push(
    makeTask(ctx.nextId(), 'identify', op, ctx.now, previous !== identifier && state.token !== null),
  );
  state.identifier = identifier;
  state.pendingProfile = {};
  state.anonymousActivity = false;
  // Registered on every identify: attaches the token to a new person and refreshes last_used.
  return { tasks: [...tasks, ...registration(state, ctx)] };
}

/** add_device for the current person and token with automatic ⊕ custom attributes, if both exist. */
function registration(state: PersistedState, ctx: PlanContext): Task[] {
  if (!state.identifier || !state.token) return [];
  const attrs = deviceAttributes(ctx.device, state.deviceAttributes, ctx.autoDeviceAttributes);
  const platform = ctx.device.platform ?? ctx.platform;
  const op = addDeviceOp(identifiersFor(state.identifier), state.token, platform, attrs, ctx.now);
  return [makeTask(ctx.nextId(), 'device', op, ctx.now)];
}

/** delete_device ends its batch: the next person's ops wait until it is acknowledged. */
function deleteDevice(identifier: string, token: string, ctx: PlanContext): Task {
  return makeTask(
    ctx.nextId(),
    'device',
    deleteDeviceOp(identifiersFor(identifier), token, ctx.now),
    ctx.now,
    true,
  );
}
