import type { WebhookEventKind } from '@roster/protocol';
import type { ActivityInput } from '../../store/activities/activities.js';
import type { ObjectActivityInput } from '../../store/objects/object-activities.js';

/** An event a change makes, before it is matched against subscriptions. */
export interface WebhookEvent {
  kind: WebhookEventKind;
  workspaceId: number;
  /** Deliveries with the same key go out in order (one person). */
  orderKey: string;
  /** Unix seconds. */
  at: number;
  /** `event.tracked`: the event's name (subscriptions may filter on it). */
  eventName?: string;
  /** `segment.*`: the segment (subscriptions may filter on it). */
  segmentId?: number;
  data: Record<string, unknown>;
}

const MESSAGE_EVENTS: Partial<Record<ActivityInput['type'], WebhookEventKind>> = {
  sent_push: 'message.sent',
  delivered_push: 'message.delivered',
  opened_push: 'message.opened',
  bounced_push: 'message.bounced',
  failed_push: 'message.failed',
  undeliverable_push: 'message.failed',
};

const DEVICE_EVENTS: Record<string, WebhookEventKind> = {
  added: 'device.added',
  moved_in: 'device.added',
  updated: 'device.updated',
  deleted: 'device.removed',
  moved_out: 'device.removed',
};

const OBJECT_EVENTS: Record<string, WebhookEventKind> = {
  create: 'object.created',
  attribute_change: 'object.updated',
  delete: 'object.deleted',
};

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * The kind of webhook event a recorded activity stands for, if any, without building the event:
 * what the emitter checks against the kinds its subscriptions want before paying for the payload.
 */
export function kindOfActivity(a: ActivityInput): WebhookEventKind | undefined {
  if (a.personPid === null) return undefined;
  switch (a.type) {
    case 'profile_create':
      return 'person.created';
    case 'attribute_change':
      return 'person.updated';
    case 'profile_delete':
      return 'person.deleted';
    case 'device_change':
      return DEVICE_EVENTS[String(record(a.data).action)];
    case 'event':
    case 'page':
    case 'screen':
      return 'event.tracked';
    case 'entered_segment':
      return 'segment.entered';
    case 'exited_segment':
      return 'segment.exited';
    case 'add_relationship':
      return 'relationship.added';
    case 'delete_relationship':
      return 'relationship.removed';
    default:
      return MESSAGE_EVENTS[a.type];
  }
}

/** The kind of webhook event an object's history entry stands for, if any. */
export function kindOfObjectActivity(a: ObjectActivityInput): WebhookEventKind | undefined {
  return OBJECT_EVENTS[a.type];
}

/**
 * The webhook event a recorded activity stands for, if any (docs/webhooks.md "Events"). History
 * records every change a write makes, whichever path made it, so this is the one mapping.
 */
export function eventOfActivity(a: ActivityInput): WebhookEvent | undefined {
  const kind = kindOfActivity(a);
  if (kind === undefined || a.personPid === null) return undefined;
  const base = {
    workspaceId: a.workspaceId,
    orderKey: `p:${a.personPid}`,
    at: a.timestamp,
    kind,
  };
  const person = a.identifiers ?? null;
  const data = record(a.data);
  switch (a.type) {
    case 'profile_create':
      return { ...base, data: { person } };
    case 'attribute_change':
      return { ...base, data: { person, changed: Object.keys(data), changes: data } };
    case 'profile_delete':
      return { ...base, data: { person, reason: data.reason ?? null } };
    case 'device_change': {
      const device = { token: data.token ?? a.name ?? null, platform: data.platform ?? null };
      return {
        ...base,
        data: {
          person,
          device,
          action: data.action,
          ...(data.changes ? { changes: data.changes } : {}),
        },
      };
    }
    case 'event':
    case 'page':
    case 'screen': {
      const name = a.name ?? '';
      return {
        ...base,
        eventName: name,
        data: { person, event: { name, type: a.type, data: a.data ?? {}, timestamp: a.timestamp } },
      };
    }
    case 'entered_segment':
    case 'exited_segment': {
      const id = Number(data.segment_id);
      return {
        ...base,
        segmentId: id,
        data: { person, segment: { id, name: data.segment_name ?? a.name ?? null } },
      };
    }
    case 'add_relationship':
    case 'delete_relationship':
      return { ...base, data: { person, relationship: data } };
    default:
      return {
        ...base,
        data: {
          person,
          message: {
            delivery_id: a.deliveryId ?? data.delivery_id ?? null,
            channel: 'push',
            delivery_type: a.deliveryType ?? null,
            ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
          },
        },
      };
  }
}

/** The webhook event an object's history entry stands for, if any (docs/webhooks.md "Events"). */
export function eventOfObjectActivity(a: ObjectActivityInput): WebhookEvent | undefined {
  const kind = kindOfObjectActivity(a);
  if (!kind) return undefined;
  const data = record(a.data);
  const object = a.identifiers ?? data.identifiers ?? null;
  return {
    kind,
    workspaceId: a.workspaceId,
    orderKey: `o:${a.objectOid}`,
    at: a.timestamp,
    data: {
      object,
      ...(kind === 'object.updated' ? { changed: Object.keys(data), changes: data } : {}),
      ...(kind === 'object.deleted' ? { relationships: data.relationships ?? 0 } : {}),
    },
  };
}
