import { Type, type Static } from 'typebox';

/**
 * Track API v1 wire shapes (docs/track-api.md §2). The server is deliberately lenient (what
 * each Customer.io client really sends, docs/track-api.md §1 and §5): these schemas describe what clients send, with extra keys allowed, and the server's
 * services hold the exact validation and Customer.io's messages.
 */

const Unix = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })]);
const IdValue = Type.Union([Type.String(), Type.Number()]);

/** `PUT /api/v1/customers/{identifier}` — attributes plus the instruction keys of docs/track-api.md §4. */
export const TrackIdentifyBody = Type.Object(
  {
    id: Type.Optional(Type.Union([IdValue, Type.Null()])),
    email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    anonymous_id: Type.Optional(Type.String()),
    created_at: Type.Optional(Unix),
    _timestamp: Type.Optional(Unix),
    _update: Type.Optional(Type.Boolean()),
    unsubscribed: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);
export type TrackIdentifyBody = Static<typeof TrackIdentifyBody>;

/** `PUT /api/v1/customers/{identifier}/devices` (docs/track-api.md §5). */
export const TrackDevice = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    platform: Type.String({ minLength: 1 }),
    last_used: Type.Optional(Unix),
    attributes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: true },
);
export type TrackDevice = Static<typeof TrackDevice>;
export const TrackDeviceBody = Type.Object({ device: TrackDevice });
export type TrackDeviceBody = Static<typeof TrackDeviceBody>;

export const TrackEventType = Type.Union([
  Type.Literal('event'),
  Type.Literal('page'),
  Type.Literal('screen'),
]);
export type TrackEventType = Static<typeof TrackEventType>;

/** `POST /api/v1/customers/{identifier}/events` (docs/track-api.md §6). `id` is a ULID for dedupe. */
export const TrackEventBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    data: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    id: Type.Optional(Type.String({ pattern: '^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$' })),
    timestamp: Type.Optional(Unix),
    type: Type.Optional(TrackEventType),
  },
  { additionalProperties: true },
);
export type TrackEventBody = Static<typeof TrackEventBody>;

/** `POST /api/v1/events` (docs/track-api.md §6): no `anonymous_id` plus `data.recipient` is an invite event. */
export const TrackAnonymousEventBody = Type.Intersect([
  TrackEventBody,
  Type.Object({ anonymous_id: Type.Optional(Type.String()) }),
]);
export type TrackAnonymousEventBody = Static<typeof TrackAnonymousEventBody>;

/** One side of a merge: exactly one key; values may be numbers (customerio-node). */
export const TrackPersonIdentifier = Type.Union([
  Type.Object({ id: IdValue }, { additionalProperties: false }),
  Type.Object({ email: Type.String() }, { additionalProperties: false }),
  Type.Object({ cio_id: Type.String() }, { additionalProperties: false }),
]);
export type TrackPersonIdentifier = Static<typeof TrackPersonIdentifier>;

/** `POST /api/v1/merge_customers` (docs/track-api.md §7). */
export const TrackMergeBody = Type.Object({
  primary: TrackPersonIdentifier,
  secondary: TrackPersonIdentifier,
});
export type TrackMergeBody = Static<typeof TrackMergeBody>;

/** `POST /api/v1/segments/{id}/add_customers|remove_customers` (docs/track-api.md §7), 1–1000 ids. */
export const TrackSegmentBody = Type.Object({ ids: Type.Array(IdValue, { minItems: 1, maxItems: 1000 }) });
export type TrackSegmentBody = Static<typeof TrackSegmentBody>;

/** `POST /api/v1/forms/{form_id}/submit` (docs/track-api.md §3). */
export const TrackFormBody = Type.Object({ data: Type.Record(Type.String(), Type.Unknown()) });
export type TrackFormBody = Static<typeof TrackFormBody>;

/** `POST /api/v1/metrics` (docs/track-api.md §8). */
export const TrackMetricBody = Type.Object(
  {
    delivery_id: Type.String({ minLength: 1 }),
    metric: Type.String(),
    timestamp: Type.Optional(Unix),
    recipient: Type.Optional(Type.Union([Type.String(), Type.Number()])),
    reason: Type.Optional(Type.String()),
    href: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type TrackMetricBody = Static<typeof TrackMetricBody>;

/** `POST /push/events` and `/api/v1/push/events` (docs/track-api.md §8). */
export const TrackPushEventBody = Type.Object(
  {
    delivery_id: Type.String({ minLength: 1 }),
    event: Type.Union([Type.Literal('opened'), Type.Literal('converted'), Type.Literal('delivered')]),
    device_id: Type.Optional(Type.String()),
    timestamp: Type.Optional(Unix),
  },
  { additionalProperties: true },
);
export type TrackPushEventBody = Static<typeof TrackPushEventBody>;

/** `POST /unsubscribe/{delivery_id}` (docs/track-api.md §8); absent means `true`. */
export const TrackUnsubscribeBody = Type.Object({ unsubscribe: Type.Optional(Type.Boolean()) });
export type TrackUnsubscribeBody = Static<typeof TrackUnsubscribeBody>;

/** `GET /api/v1/accounts/region` (docs/track-api.md §8). */
export const TrackRegionResponse = Type.Object({
  url: Type.String(),
  region: Type.Literal('us'),
  environment_id: Type.Integer(),
});
export type TrackRegionResponse = Static<typeof TrackRegionResponse>;

/** v1 400: `{"meta":{"errors":[…]}}`; 401 and merge 400: `{"meta":{"error":"…"}}` (docs/track-api.md §1). */
export const TrackV1Errors = Type.Object({ meta: Type.Object({ errors: Type.Array(Type.String()) }) });
export type TrackV1Errors = Static<typeof TrackV1Errors>;
export const TrackV1Error = Type.Object({ meta: Type.Object({ error: Type.String() }) });
export type TrackV1Error = Static<typeof TrackV1Error>;
