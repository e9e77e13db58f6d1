/** Builders for the v2 batch ops the SDK queues (docs/track-api.md §2). */
import type { JsonObject } from './json.js';
import type {
  AddDeviceOp,
  DeleteDeviceOp,
  DeliveryOp,
  EventOp,
  IdentifyOp,
  PersonIdentifiers,
} from './wire.js';

/** Integer unix seconds: the Track API rejects or misreads fractional and millisecond values. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export function identifyOp(identifiers: PersonIdentifiers, attributes: JsonObject, atMs: number): IdentifyOp {
  return { type: 'person', identifiers, action: 'identify', attributes, timestamp: unixSeconds(atMs) };
}

export function eventOp(
  identifiers: PersonIdentifiers,
  action: EventOp['action'],
  id: string,
  name: string,
  attributes: JsonObject,
  atMs: number,
): EventOp {
  return { type: 'person', identifiers, action, id, name, timestamp: unixSeconds(atMs), attributes };
}

export function addDeviceOp(
  identifiers: PersonIdentifiers,
  token: string,
  platform: string,
  attributes: JsonObject,
  atMs: number,
): AddDeviceOp {
  const ts = unixSeconds(atMs);
  return {
    type: 'person',
    identifiers,
    action: 'add_device',
    device: { token, platform, last_used: ts, attributes },
    timestamp: ts,
  };
}

export function deleteDeviceOp(identifiers: PersonIdentifiers, token: string, atMs: number): DeleteDeviceOp {
  return {
    type: 'person',
    identifiers,
    action: 'delete_device',
    device: { token },
    timestamp: unixSeconds(atMs),
  };
}

export function deliveryOp(deliveryId: string, event: string, deviceToken: string, atMs: number): DeliveryOp {
  return {
    type: 'delivery',
    action: 'event',
    identifiers: { id: deliveryId },
    name: event,
    timestamp: unixSeconds(atMs),
    attributes: { device_token: deviceToken },
  };
}
