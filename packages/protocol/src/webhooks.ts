import { Type, type Static } from 'typebox';

/**
 * Outgoing webhooks (docs/webhooks.md): subscriptions, their deliveries and attempts, and the
 * body Roster POSTs to a receiver.
 */

/** Every kind of event a subscription can ask for. */
export const WEBHOOK_EVENTS = [
  'person.created',
  'person.updated',
  'person.deleted',
  'device.added',
  'device.updated',
  'device.removed',
  'event.tracked',
  'segment.entered',
  'segment.exited',
  'message.sent',
  'message.delivered',
  'message.opened',
  'message.bounced',
  'message.failed',
  'object.created',
  'object.updated',
  'object.deleted',
  'relationship.added',
  'relationship.removed',
] as const;
export type WebhookEventKind = (typeof WEBHOOK_EVENTS)[number];

const fields = {
  url: Type.String({ description: 'Where deliveries are POSTed: an http(s) URL.', maxLength: 2048 }),
  description: Type.String({ description: 'Free text for people.', maxLength: 1000 }),
  events: Type.Array(Type.String(), {
    description: `The kinds of change wanted: ${WEBHOOK_EVENTS.join(', ')}.`,
    maxItems: 50,
  }),
  event_names: Type.Union([Type.Array(Type.String(), { maxItems: 100 }), Type.Null()], {
    description: '`event.tracked` only for these event names (null: every event).',
  }),
  segment_ids: Type.Union([Type.Array(Type.Integer(), { maxItems: 100 }), Type.Null()], {
    description: '`segment.entered` / `segment.exited` only for these segments (null: every segment).',
  }),
  enabled: Type.Boolean({
    description:
      'Off: no deliveries are written for it, queued ones wait. Turning it on resumes a paused one.',
  }),
  batch: Type.Integer({
    minimum: 1,
    maximum: 100,
    description:
      'Events per request at most (default 1: one event per request). Above 1 the body is `{"events": [...]}`.',
  }),
};

/** `POST /v1/webhooks`. */
export const WebhookCreateBody = Type.Object({
  url: fields.url,
  events: fields.events,
  description: Type.Optional(fields.description),
  event_names: Type.Optional(fields.event_names),
  segment_ids: Type.Optional(fields.segment_ids),
  enabled: Type.Optional(fields.enabled),
  batch: Type.Optional(fields.batch),
});
export type WebhookCreateBody = Static<typeof WebhookCreateBody>;

/** `PUT /v1/webhooks/:id`: the fields given change, the others stay. */
export const WebhookUpdateBody = Type.Partial(Type.Object(fields));
export type WebhookUpdateBody = Static<typeof WebhookUpdateBody>;

/** `POST /v1/webhooks/:id/rotate-secret`. */
export const WebhookRotateBody = Type.Object({
  overlap_seconds: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 7 * 86400,
      description: 'How long deliveries stay signed with the old secret too (default 86400).',
    }),
  ),
});
export type WebhookRotateBody = Static<typeof WebhookRotateBody>;

export const WebhookView = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  event_names: Type.Union([Type.Array(Type.String()), Type.Null()]),
  segment_ids: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
  enabled: Type.Boolean(),
  /** Events per request at most. */
  batch: Type.Integer(),
  paused: Type.Union([Type.Object({ reason: Type.String(), at: Type.Integer() }), Type.Null()], {
    description:
      'Set when Roster paused deliveries (a run of failures, or 410 Gone); `enabled: true` resumes.',
  }),
  /** Unix seconds until which the previous secret still signs, after a rotation. */
  previous_secret_expires_at: Type.Union([Type.Integer(), Type.Null()]),
  /** Only in the answers to create and rotate-secret: shown once. */
  secret: Type.Optional(Type.String()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export type WebhookView = Static<typeof WebhookView>;

export const WebhookResponse = Type.Object({ webhook: WebhookView });
export type WebhookResponse = Static<typeof WebhookResponse>;
export const WebhookList = Type.Object({ webhooks: Type.Array(WebhookView) });
export type WebhookList = Static<typeof WebhookList>;

export const WebhookParams = Type.Object({ id: Type.String({ description: 'The subscription id.' }) });
export const WebhookDeliveryParams = Type.Object({
  id: Type.String({ description: 'The subscription id.' }),
  delivery_id: Type.String({ description: 'The delivery id.' }),
});

export const WebhookDeliveriesQuery = Type.Object({
  limit: Type.Optional(Type.String({ description: '1–100, default 50.' })),
  start: Type.Optional(Type.String({ description: 'The `next` of the previous page.' })),
  status: Type.Optional(Type.String({ enum: ['pending', 'delivered', 'failed'] })),
});
export const WebhookAttemptsQuery = Type.Object({
  limit: Type.Optional(Type.String({ description: '1–100, default 50.' })),
  start: Type.Optional(Type.String({ description: 'The `next` of the previous page.' })),
  delivery_id: Type.Optional(Type.String({ description: "Only this delivery's attempts." })),
});

export const WebhookDeliveryView = Type.Object({
  id: Type.Integer(),
  event_id: Type.String(),
  event: Type.String(),
  /** pending | delivered | failed */
  status: Type.String(),
  attempts: Type.Integer(),
  next_attempt_at: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.Integer(),
  finished_at: Type.Union([Type.Integer(), Type.Null()]),
  payload: Type.Unknown(),
});
export type WebhookDeliveryView = Static<typeof WebhookDeliveryView>;
export const WebhookDeliveryPage = Type.Object({
  deliveries: Type.Array(WebhookDeliveryView),
  next: Type.String({ description: 'Pass as `start` for the next page; empty at the end.' }),
});
export type WebhookDeliveryPage = Static<typeof WebhookDeliveryPage>;

export const WebhookAttemptView = Type.Object({
  id: Type.Integer(),
  delivery_id: Type.Integer(),
  event_id: Type.String(),
  /** Unix milliseconds. */
  attempted_at_ms: Type.Integer(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  latency_ms: Type.Integer(),
  /** delivered | retry | failed */
  outcome: Type.String(),
  error: Type.Union([Type.String(), Type.Null()]),
  response_excerpt: Type.Union([Type.String(), Type.Null()]),
});
export type WebhookAttemptView = Static<typeof WebhookAttemptView>;
export const WebhookAttemptPage = Type.Object({
  attempts: Type.Array(WebhookAttemptView),
  next: Type.String(),
});
export type WebhookAttemptPage = Static<typeof WebhookAttemptPage>;

/** `POST /v1/webhooks/:id/replay`: failed deliveries since a time (default: the last 3 days). */
export const WebhookReplayBody = Type.Object({
  since: Type.Optional(Type.Integer({ description: 'Unix seconds: failed deliveries created since then.' })),
});
export type WebhookReplayBody = Static<typeof WebhookReplayBody>;
export const WebhookReplayResponse = Type.Object({
  replayed: Type.Integer(),
  delivery_ids: Type.Array(Type.Integer()),
});
export type WebhookReplayResponse = Static<typeof WebhookReplayResponse>;

/** The JSON body of a delivery. */
export interface WebhookEventBody {
  /** The idempotency id (also the `Roster-Webhook-Id` header). */
  id: string;
  type: WebhookEventKind;
  /** Unix seconds of the change. */
  created_at: number;
  data: Record<string, unknown>;
}
