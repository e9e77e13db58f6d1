import { Type, type Static } from 'typebox';
import { AppCampaign, AppIdType, AppSegment, BroadcastTriggerView, TransactionalMessage } from './app-api.js';

/**
 * The route-level pieces of the wire: path parameters, query strings and the small envelopes that
 * wrap the shapes of `app-api.ts` / `track-v1.ts`. The server puts them on each route's fastify
 * `schema`, and the OpenAPI document is generated from those routes.
 */

// ---- answers without a shape of their own ---------------------------------------------------------

/** The Track API's success answer: `{}` (and a newline). */
export const TrackOk = Type.Object({}, { description: 'Track success: `{}`' });
export type TrackOk = Static<typeof TrackOk>;

/** 204: no body. */
export const NoContent = Type.Null({ description: 'No content' });

/** A text answer (Prometheus exposition, HTML pages); the route names the media type. */
export const TextBody = Type.String();

// ---- Track API path parameters ----------------------------------------------------------------------

const identifier = Type.String({
  description: 'The person: an id, an email (where emails identify people) or `cio_<cio_id>`.',
});
export const TrackPersonParams = Type.Object({ identifier });
export type TrackPersonParams = Static<typeof TrackPersonParams>;
export const TrackDeviceParams = Type.Object({
  identifier,
  device_id: Type.String({ description: 'The device token.' }),
});
export type TrackDeviceParams = Static<typeof TrackDeviceParams>;
export const TrackSegmentParams = Type.Object({
  segment_id: Type.String({ description: 'A manual segment id.' }),
});
export const TrackSegmentQuery = Type.Object({
  id_type: Type.Optional(
    Type.String({
      description: 'How `ids` are read: id (default), email or cio_id.',
      enum: ['id', 'email', 'cio_id'],
    }),
  ),
});
export const TrackFormParams = Type.Object({ form_id: Type.String({ description: 'Any form name.' }) });
export const TrackDeliveryParams = Type.Object({
  delivery_id: Type.String({ description: 'The delivery id a message carried.' }),
});

// ---- App API path parameters and query strings ------------------------------------------------------

/**
 * Query values are strings on the wire (a repeated parameter keeps its first value). Numbers such as
 * `limit` are read by the services, which answer a 400 naming the parameter.
 */
const text = (description: string) => Type.Optional(Type.String({ description }));
const idTypeQuery = Type.Optional(
  Type.Unsafe<Static<typeof AppIdType>>({
    type: 'string',
    enum: ['id', 'email', 'cio_id', 'phone'],
    description: 'How `customer_id` is read: id (default), email, cio_id (phone is not enabled).',
  }),
);
const page = {
  start: text('The cursor from the previous page (`next`).'),
  limit: text('Page size (a positive integer; large values are clamped to the maximum).'),
};

export const CustomerParams = Type.Object({
  customer_id: Type.String({ description: 'The person, read as `id_type` says.' }),
});
export const IdTypeQuery = Type.Object({ id_type: idTypeQuery });
export const CustomerPageQuery = Type.Object({ id_type: idTypeQuery, ...page });
export const EmailQuery = Type.Object({ email: Type.String({ description: 'The email to look up.' }) });
export const PageQuery = Type.Object(page);
export const PrefixSearchQuery = Type.Object({
  q: text('The start of an id or email, or a whole cio_id.'),
  ...page,
});
export const CustomerActivitiesQuery = Type.Object({
  id_type: idTypeQuery,
  ...page,
  type: text('Only activities of this type.'),
  name: text('Only activities with this name.'),
});
export const ActivitiesQuery = Type.Object({
  ...page,
  type: text('Only activities of this type.'),
  name: text('Only activities with this name.'),
  deleted: text('`true`: include activities of deleted people.'),
  customer_id: text('Only this person’s activities.'),
  id_type: idTypeQuery,
});
export const ActivityStatsQuery = Type.Object({
  interval: text('`hour` or `day` buckets.'),
  type: text('The activity type counted (default `event`).'),
  buckets: text('How many buckets.'),
});
export const MessagesQuery = Type.Object({
  ...page,
  type: text('Only messages of this type.'),
  metric: text('Only messages with this metric.'),
  campaign_id: text('Only messages of this campaign.'),
  broadcast_id: text('Only messages of this broadcast.'),
  start_ts: text('Only messages created at or after this unix time.'),
  end_ts: text('Only messages created before this unix time.'),
  id_type: idTypeQuery,
});

export const SegmentParams = Type.Object({ segment_id: Type.String({ description: 'A segment id.' }) });
export const SegmentHistoryQuery = Type.Object({ interval: text('`hour` or `day` points.') });
export const SegmentExplainQuery = Type.Object({
  customer_id: text('The person.'),
  id_type: idTypeQuery,
});
export const SegmentDeleteQuery = Type.Object({
  dynamic: text('`true` to delete a dynamic segment (the dashboard asks for it).'),
});

export const MessageParams = Type.Object({
  message_id: Type.String({ description: 'A message (delivery) id.' }),
});
export const IdParams = Type.Object({ id: Type.String({ description: 'The id.' }) });
export const TriggerParams = Type.Object({
  id: Type.String({ description: 'The broadcast campaign id.' }),
  trigger_id: Type.String({ description: 'The trigger id.' }),
});
export const ProviderParams = Type.Object({
  kind: Type.String({ description: 'The provider kind: `apns` or `fcm`.' }),
});
export const ProviderDeleteQuery = Type.Object({
  app_identifier: text('Which app’s provider (a bundle id or package name).'),
});

// ---- App API envelopes ------------------------------------------------------------------------------

export const SegmentList = Type.Object({ segments: Type.Array(AppSegment) });
export type SegmentList = Static<typeof SegmentList>;
export const SegmentResponse = Type.Object({ segment: AppSegment });
export type SegmentResponse = Static<typeof SegmentResponse>;
export const CampaignList = Type.Object({ campaigns: Type.Array(AppCampaign) });
export type CampaignList = Static<typeof CampaignList>;
export const CampaignResponse = Type.Object({ campaign: AppCampaign });
export type CampaignResponse = Static<typeof CampaignResponse>;
export const TransactionalResponse = Type.Object({ message: TransactionalMessage });
export type TransactionalResponse = Static<typeof TransactionalResponse>;
export const BroadcastTriggerCreated = Type.Object({ id: Type.Integer() });
export type BroadcastTriggerCreated = Static<typeof BroadcastTriggerCreated>;
export const BroadcastTriggerResponse = Type.Object({ trigger: BroadcastTriggerView });
export type BroadcastTriggerResponse = Static<typeof BroadcastTriggerResponse>;

// ---- operations -------------------------------------------------------------------------------------

export const HealthResponse = Type.Object(
  {
    status: Type.String({ enum: ['ok', 'degraded', 'unavailable'] }),
    store: Type.String(),
    /** When degraded: what is wrong (`storage: "full"`, since when, and a message). */
    storage: Type.Optional(Type.String()),
    since: Type.Optional(Type.Integer()),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type HealthResponse = Static<typeof HealthResponse>;

/** `GET /openapi.json`: an OpenAPI 3.1 document. */
export const OpenApiDocument = Type.Object({ openapi: Type.String() }, { additionalProperties: true });
