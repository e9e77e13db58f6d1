import { Type, type Static } from 'typebox';

/**
 * App API wire shapes (docs/app-api.md). Every attribute value on the wire is a string
 * (docs/app-api.md "Conventions"); ids are strings; segment ids are positive integers.
 */

/** How a `{customer_id}` path value is read (docs/app-api.md "Conventions", `id_type`). `phone` is answered with a 400 (not enabled). */
export const AppIdType = Type.Union([
  Type.Literal('id'),
  Type.Literal('email'),
  Type.Literal('cio_id'),
  Type.Literal('phone'),
]);
export type AppIdType = Static<typeof AppIdType>;

/** A person's identifiers: all three keys present; `id` and `email` null when unset. */
export const AppIdentifiers = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  cio_id: Type.String(),
});
export type AppIdentifiers = Static<typeof AppIdentifiers>;
/** A message's recipient as sent: a delivery to identifiers nobody had carries no cio_id. */
export const MessageIdentifiers = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  cio_id: Type.Union([Type.String(), Type.Null()]),
});

/** A device inside `customer.devices`; `attributes` always carries `_last_status`. */
export const AppDevice = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  last_used: Type.Integer(),
  attributes: Type.Record(Type.String(), Type.String()),
});
export type AppDevice = Static<typeof AppDevice>;

/** The customer profile (docs/app-api.md "People"). */
export const AppCustomer = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  identifiers: AppIdentifiers,
  attributes: Type.Record(Type.String(), Type.String()),
  timestamps: Type.Record(Type.String(), Type.Integer()),
  unsubscribed: Type.Boolean(),
  devices: Type.Array(AppDevice),
});
export type AppCustomer = Static<typeof AppCustomer>;

export const GetCustomerResponse = Type.Object({ customer: AppCustomer });
export type GetCustomerResponse = Static<typeof GetCustomerResponse>;

/** `GET /v1/customers?email=` items (key order as documented). */
export const EmailLookupItem = Type.Object({
  cio_id: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  id: Type.Union([Type.String(), Type.Null()]),
});
export const EmailLookupResponse = Type.Object({ results: Type.Array(EmailLookupItem) });
export type EmailLookupResponse = Static<typeof EmailLookupResponse>;

/** `POST /v1/customers/attributes`: 1..100 ids; items come back flat (docs/app-api.md "Choices where Customer.io documents nothing"). */
export const CustomersAttributesBody = Type.Object({
  ids: Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1, maxItems: 100 }),
});
export type CustomersAttributesBody = Static<typeof CustomersAttributesBody>;
export const CustomersAttributesResponse = Type.Object({ customers: Type.Array(AppCustomer) });
export type CustomersAttributesResponse = Static<typeof CustomersAttributesResponse>;

/** The filter language of `POST /v1/customers` (docs/segments.md "The language"). Recursive: and/or hold filters, not holds one. */
export const AttributeFilter = Type.Object({
  field: Type.String(),
  operator: Type.Union([Type.Literal('eq'), Type.Literal('exists')]),
  value: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  inverse: Type.Optional(Type.Boolean()),
});
export type AttributeFilter = Static<typeof AttributeFilter>;

export type AudienceFilter =
  | { and: AudienceFilter[] }
  | { or: AudienceFilter[] }
  | { not: AudienceFilter }
  | { segment: { id: number } }
  | { attribute: AttributeFilter };

export const SearchCustomersBody = Type.Object({ filter: Type.Unknown() });
export type SearchCustomersBody = { filter: AudienceFilter };

/** People lists (search, segment membership): `ids` holds `""` for people without an id. */
export const PeoplePage = Type.Object({
  identifiers: Type.Array(AppIdentifiers),
  ids: Type.Array(Type.String()),
  next: Type.String(),
});
export type PeoplePage = Static<typeof PeoplePage>;

/**
 * `GET /v1/customers/search?q=` (Roster's extension): people whose id or email starts with `q`, in
 * identifier order, with how many match (`count_capped`: there are more than `count`).
 */
export const PrefixSearchPage = Type.Object({
  ...PeoplePage.properties,
  count: Type.Integer(),
  count_capped: Type.Boolean(),
});
export type PrefixSearchPage = Static<typeof PrefixSearchPage>;

/** An activity (docs/app-api.md "Activities"). */
export const AppActivity = Type.Object({
  id: Type.String(),
  type: Type.String(),
  timestamp: Type.Integer(),
  customer_id: Type.Union([Type.String(), Type.Null()]),
  customer_identifiers: AppIdentifiers,
  delivery_id: Type.Optional(Type.String()),
  delivery_type: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  data: Type.Unknown(),
});
export type AppActivity = Static<typeof AppActivity>;
export const ActivitiesPage = Type.Object({ activities: Type.Array(AppActivity), next: Type.String() });
export type ActivitiesPage = Static<typeof ActivitiesPage>;

/**
 * The segment condition language (docs/segments.md), the wire form of a dynamic segment's
 * `conditions` and of the search `filter`. Recursive, so typed by hand; the server's parser
 * (`services/filter/parse-filter.ts`) is what validates it.
 */
export type ConditionOperator =
  'eq' | 'ne' | 'exists' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'starts_with' | 'in';
export type CountOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
export type ConditionValue = string | number | boolean;

export interface AttributeCondition {
  field: string;
  operator: ConditionOperator;
  /** Absent for `exists`; a list for `in`; a number (or decimal text) for gt/gte/lt/lte. */
  value?: ConditionValue | ConditionValue[];
  inverse?: boolean;
}

export interface EventCondition {
  name: string;
  /** `event` (default), `page` or `screen`. */
  type?: 'event' | 'page' | 'screen';
  count?: { operator: CountOperator; value: number };
  /** A duration: `90m`, `12h`, `30d`, `2w`, `45s`. */
  within?: string;
  where?: SegmentConditions;
}

/**
 * People related to an object of type `type_id` (docs/objects.md "Segments on objects"): `where`
 * tests the object's attributes, `relationship` the relationship's, both on the same relationship.
 */
export interface ObjectCondition {
  type_id: string;
  where?: SegmentConditions;
  relationship?: SegmentConditions;
}

export type SegmentConditions =
  | { and: SegmentConditions[] }
  | { or: SegmentConditions[] }
  | { not: SegmentConditions }
  | { segment: { id: number } }
  | { attribute: AttributeCondition }
  | { device: SegmentConditions }
  | { event: EventCondition }
  | { object: ObjectCondition };

/** A schema slot for the condition language: any object on the wire, typed as `SegmentConditions`. */
export const SegmentConditionsSchema = Type.Unsafe<SegmentConditions>({
  type: 'object',
  additionalProperties: true,
  description:
    'A condition tree (docs/segments.md): and, or, not, attribute, event, device, segment, object.',
});

/** A segment (docs/app-api.md "Segments"), plus Roster's `conditions` (null for manual segments). */
export const AppSegment = Type.Object({
  id: Type.Integer(),
  deduplicate_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  state: Type.String(),
  progress: Type.Union([Type.Integer(), Type.Null()]),
  type: Type.Union([Type.Literal('manual'), Type.Literal('dynamic')]),
  tags: Type.Union([Type.Array(Type.String()), Type.Null()]),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  conditions: Type.Union([SegmentConditionsSchema, Type.Null()]),
  /** Roster: memberships are still being brought up to date after an object change (docs/objects.md). */
  catching_up: Type.Optional(Type.Boolean()),
});
export type AppSegment = Static<typeof AppSegment>;

export const CreateSegmentBody = Type.Object({
  segment: Type.Object({ name: Type.String(), description: Type.Optional(Type.String()) }),
});
export type CreateSegmentBody = Static<typeof CreateSegmentBody>;

export const CustomerSegmentsResponse = Type.Object({
  segments: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), description: Type.String() })),
});
export type CustomerSegmentsResponse = Static<typeof CustomerSegmentsResponse>;

export const SegmentMembershipPage = Type.Object({
  identifiers: Type.Array(AppIdentifiers),
  ids: Type.Array(Type.String()),
  next: Type.String(),
  segment_id: Type.Integer(),
});
export type SegmentMembershipPage = Static<typeof SegmentMembershipPage>;

export const SegmentUsedBy = Type.Object({
  segment_id: Type.Integer(),
  used_by: Type.Object({
    campaigns: Type.Array(Type.Integer()),
    sent_newsletters: Type.Array(Type.Integer()),
    draft_newsletters: Type.Array(Type.Integer()),
  }),
});
export type SegmentUsedBy = Static<typeof SegmentUsedBy>;

/**
 * The App API error envelope (docs/app-api.md "Conventions"): `errors[]` with the detail and
 * pointer, and `meta.error` (the same detail), which customerio-node shows as the message.
 */
export const AppErrorBody = Type.Object({
  errors: Type.Array(
    Type.Object({
      detail: Type.String(),
      status: Type.String(),
      code: Type.Optional(Type.String()),
      source: Type.Optional(Type.Object({ pointer: Type.String() })),
    }),
  ),
  meta: Type.Object({ error: Type.String() }),
});
export type AppErrorBody = Static<typeof AppErrorBody>;

// ---- Roster's extensions: what the dashboard reads and writes beyond Customer.io's shapes ------

/** `POST /v1/segments/count`. */
export const CountResponse = Type.Object({ count: Type.Integer() });
export type CountResponse = Static<typeof CountResponse>;
/** `GET /v1/segments/:id/customer_count`. */
export const SegmentCount = Type.Object({ count: Type.Integer(), segment_id: Type.Integer() });
export type SegmentCount = Static<typeof SegmentCount>;

/** `POST /v1/segments` and `PUT /v1/segments/:id` as Roster takes them (conditions make it dynamic). */
export const SegmentWriteBody = Type.Object({
  segment: Type.Object({
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    // null asks to turn a dynamic segment manual, which the service refuses with its own message.
    conditions: Type.Optional(Type.Union([SegmentConditionsSchema, Type.Null()])),
  }),
});
export type SegmentWriteBody = Static<typeof SegmentWriteBody>;

/** `POST /v1/segments/count`: how many people conditions match. */
export const CountConditionsBody = Type.Object({ conditions: SegmentConditionsSchema });
export type CountConditionsBody = Static<typeof CountConditionsBody>;

/** A count at a time: activity stats buckets and segment size history points. */
export const TimePoint = Type.Object({ timestamp: Type.Integer(), count: Type.Integer() });
export type TimePoint = Static<typeof TimePoint>;

/** `GET /v1/segments/:id/history`: the size at the end of each bucket, oldest first. */
export const SegmentHistory = Type.Object({ points: Type.Array(TimePoint) });
export type SegmentHistory = Static<typeof SegmentHistory>;

/** A node of `GET /v1/segments/:id/explain`: a group's kind or the condition, its result, what it saw. */
export interface ExplainNode {
  node: unknown;
  pointer?: string;
  result: boolean;
  seen?: unknown;
  children?: ExplainNode[];
}
export const SegmentExplanation = Type.Object({
  result: Type.Boolean(),
  member: Type.Boolean(),
  tree: Type.Union([Type.Unsafe<ExplainNode>({ type: 'object', additionalProperties: true }), Type.Null()]),
});
export type SegmentExplanation = Static<typeof SegmentExplanation>;

/** `GET /v1/activities/stats`. */
export const ActivityStats = Type.Object({
  interval: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  type: Type.String(),
  buckets: Type.Array(TimePoint),
  top_names: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })),
});
export type ActivityStats = Static<typeof ActivityStats>;

/** The parts of a push a template holds (Liquid in every text field). */
export const PushTemplateFields = Type.Object({
  title: Type.String(),
  message: Type.String(),
  image_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  link: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  sound: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  custom_data: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
});
export type PushTemplateFields = Static<typeof PushTemplateFields>;

/** A transactional push message (`GET /v1/transactional`, `…/:id`). */
export const TransactionalMessage = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  type: Type.Literal('push'),
  title: Type.String(),
  message: Type.String(),
  image_url: Type.Union([Type.String(), Type.Null()]),
  link: Type.Union([Type.String(), Type.Null()]),
  sound: Type.Union([Type.String(), Type.Null()]),
  custom_data: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  send_to_unsubscribed: Type.Boolean(),
  queue_drafts: Type.Boolean(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export type TransactionalMessage = Static<typeof TransactionalMessage>;
export const TransactionalList = Type.Object({ messages: Type.Array(TransactionalMessage) });
export type TransactionalList = Static<typeof TransactionalList>;
/** `POST /v1/transactional`, `PUT /v1/transactional/:id`: a name and the template fields. */
export const TransactionalWriteBody = Type.Intersect([
  Type.Object({ name: Type.String() }),
  PushTemplateFields,
]);
export type TransactionalWriteBody = Static<typeof TransactionalWriteBody>;

/** `POST /v1/templates/preview`: a template rendered for one person (and device), nothing sent. */
export const TemplatePreviewBody = Type.Object({
  template: PushTemplateFields,
  customer_id: Type.String(),
  id_type: Type.Optional(AppIdType),
  device_token: Type.Optional(Type.String()),
  /** `{{ event.* }}` */
  event: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** `{{ trigger.* }}` */
  trigger: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type TemplatePreviewBody = Static<typeof TemplatePreviewBody>;
export const TemplatePreviewResponse = Type.Object({
  rendered: Type.Object({
    title: Type.String(),
    message: Type.String(),
    image_url: Type.Union([Type.String(), Type.Null()]),
    link: Type.Union([Type.String(), Type.Null()]),
    sound: Type.Union([Type.String(), Type.Null()]),
    custom_data: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
    device: Type.Union([Type.Object({ token: Type.String(), platform: Type.String() }), Type.Null()]),
  }),
});
export type TemplatePreviewResponse = Static<typeof TemplatePreviewResponse>;

/** `POST /v1/send/push` (the fields the dashboard sends; `message_data` is `{{ trigger.* }}`). */
export const SendPushBody = Type.Object({
  identifiers: Type.Object({
    id: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    cio_id: Type.Optional(Type.String()),
  }),
  transactional_message_id: Type.Union([Type.Integer(), Type.String()]),
  to: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  image_url: Type.Optional(Type.String()),
  link: Type.Optional(Type.String()),
  message_data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  send_at: Type.Optional(Type.Integer()),
});
export type SendPushBody = Static<typeof SendPushBody>;
export const SendPushResponse = Type.Object({
  delivery_id: Type.String(),
  queued_at: Type.Integer(),
  send_at: Type.Optional(Type.Integer()),
});
export type SendPushResponse = Static<typeof SendPushResponse>;

/**
 * A campaign's trigger: an event name, entering a segment, or a change to an object of a type
 * (triggered campaigns only).
 */
export type CampaignTrigger =
  | { event: string }
  | { segment_entered: number }
  | {
      object_changed: {
        type_id: string;
        attributes?: string[];
        where?: unknown;
        relationship?: unknown;
      };
    };

/** Delivery counts of a campaign's messages. */
export const CampaignMetrics = Type.Object({
  sent: Type.Integer(),
  delivered: Type.Integer(),
  opened: Type.Integer(),
  bounced: Type.Integer(),
  failed: Type.Integer(),
});
export type CampaignMetrics = Static<typeof CampaignMetrics>;

/** Most headers a campaign webhook action may set. */
export const MAX_ACTION_HEADERS = 20;
/** A header name a webhook action may use: an HTTP token (RFC 9110), at most 100 characters. */
export const ACTION_HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/**
 * Headers a webhook action may not set (lower case), the connection's own; `Roster-*` are refused
 * too, as Roster sets them (docs/webhooks.md "Campaign webhook actions").
 */
export const RESERVED_ACTION_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
];
export function reservedActionHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_ACTION_HEADERS.includes(lower) || lower.startsWith('roster-');
}

/**
 * What a campaign sends: a push (its `template`), or a webhook request per person
 * (docs/webhooks.md "Campaign webhook actions"); `secret` (answers only) signs the requests.
 */
export const CampaignAction = Type.Object({
  type: Type.Union([Type.Literal('push'), Type.Literal('webhook')]),
  url: Type.Optional(Type.String()),
  method: Type.Optional(Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')])),
  /** Header name → Liquid value. */
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  /** Liquid that must render to JSON. */
  body: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String()),
});
export type CampaignAction = Static<typeof CampaignAction>;

/** A campaign or broadcast (`GET /v1/campaigns[/:id]`). `template` is inline or a transactional id. */
export const AppCampaign = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.Union([Type.Literal('triggered'), Type.Literal('broadcast')]),
  trigger: Type.Union([
    Type.Unsafe<CampaignTrigger>({ type: 'object', additionalProperties: true }),
    Type.Null(),
  ]),
  filter: Type.Union([SegmentConditionsSchema, Type.Null()]),
  template: Type.Union([PushTemplateFields, Type.Integer(), Type.Null()]),
  /** Always in Roster's answers; optional for clients built before it. */
  action: Type.Optional(CampaignAction),
  delay_seconds: Type.Integer(),
  active: Type.Boolean(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  metrics: Type.Optional(CampaignMetrics),
});
export type AppCampaign = Static<typeof AppCampaign>;

/** `POST /v1/campaigns` (all of it) and `PUT /v1/campaigns/:id` (any part; `type` cannot change). */
export const CampaignWriteBody = Type.Object({
  name: Type.Optional(Type.String()),
  type: Type.Optional(Type.Union([Type.Literal('triggered'), Type.Literal('broadcast')])),
  trigger: Type.Optional(
    Type.Union([Type.Unsafe<CampaignTrigger>({ type: 'object', additionalProperties: true }), Type.Null()]),
  ),
  filter: Type.Optional(Type.Union([SegmentConditionsSchema, Type.Null()])),
  /** Inline fields, or the id of a transactional message. */
  template: Type.Optional(Type.Union([PushTemplateFields, Type.Integer(), Type.String()])),
  /** Default `{"type":"push"}`; checked by the service (clear 400s naming the field). */
  action: Type.Optional(
    Type.Union([Type.Unsafe<CampaignAction>({ type: 'object', additionalProperties: true }), Type.Null()]),
  ),
  delay_seconds: Type.Optional(Type.Integer()),
  active: Type.Optional(Type.Boolean()),
});
export type CampaignWriteBody = Static<typeof CampaignWriteBody>;

/** `POST /v1/campaigns/:id/triggers` (a broadcast): `data` is `{{ trigger.* }}`; no body = everyone. */
export const BroadcastTriggerBody = Type.Object({
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  recipients: Type.Optional(SegmentConditionsSchema),
  ids: Type.Optional(Type.Array(Type.String())),
  emails: Type.Optional(Type.Array(Type.String())),
});
export type BroadcastTriggerBody = Static<typeof BroadcastTriggerBody>;
export const BroadcastTriggerView = Type.Object({
  id: Type.Integer(),
  campaign_id: Type.Integer(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('failed')]),
  queued: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.Integer(),
  finished_at: Type.Union([Type.Integer(), Type.Null()]),
});
export type BroadcastTriggerView = Static<typeof BroadcastTriggerView>;

/** A message (a delivery; docs/app-api.md "Messages"), with Roster's `transactional_message_id`, `title`, `body`. */
export const AppMessage = Type.Object({
  id: Type.String(),
  deduplicate_id: Type.String(),
  type: Type.String(),
  created: Type.Integer(),
  customer_id: Type.Union([Type.String(), Type.Null()]),
  customer_identifiers: Type.Union([MessageIdentifiers, Type.Null()]),
  recipient: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Union([Type.String(), Type.Null()]),
  metrics: Type.Record(Type.String(), Type.Integer()),
  failure_message: Type.Union([Type.String(), Type.Null()]),
  forgotten: Type.Boolean(),
  campaign_id: Type.Union([Type.Integer(), Type.Null()]),
  action_id: Type.Union([Type.Integer(), Type.Null()]),
  parent_action_id: Type.Union([Type.Integer(), Type.Null()]),
  broadcast_id: Type.Union([Type.Integer(), Type.Null()]),
  newsletter_id: Type.Union([Type.Integer(), Type.Null()]),
  content_id: Type.Union([Type.Integer(), Type.Null()]),
  msg_template_id: Type.Union([Type.Integer(), Type.Null()]),
  trigger_event_id: Type.Union([Type.String(), Type.Null()]),
  transactional_message_id: Type.Union([Type.Integer(), Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  body: Type.Union([Type.String(), Type.Null()]),
});
export type AppMessage = Static<typeof AppMessage>;
export const MessagesPage = Type.Object({ messages: Type.Array(AppMessage), next: Type.String() });
export type MessagesPage = Static<typeof MessagesPage>;
export const AppMessageResponse = Type.Object({ message: AppMessage });
export type AppMessageResponse = Static<typeof AppMessageResponse>;

/** An event the Pipelines API dropped or only noted (`GET /v1/pipelines/errors`). */
export const PipelinesIngestError = Type.Object({
  id: Type.String(),
  received_at: Type.Integer(),
  type: Type.Union([Type.String(), Type.Null()]),
  message_id: Type.Union([Type.String(), Type.Null()]),
  reason: Type.String(),
  message: Type.String(),
  source: Type.String(),
  /** The event as sent, cut to 4 KB of JSON text. */
  event: Type.Union([Type.String(), Type.Null()]),
});
export type PipelinesIngestError = Static<typeof PipelinesIngestError>;
export const PipelinesErrorsPage = Type.Object({
  errors: Type.Array(PipelinesIngestError),
  next: Type.String(),
});
export type PipelinesErrorsPage = Static<typeof PipelinesErrorsPage>;

/** A configured push provider as `GET /v1/workspace` shows it (credentials are never shown). */
export const PushProviderView = Type.Object({
  kind: Type.String(),
  app_identifier: Type.String(),
  configured: Type.Boolean(),
  key_id: Type.Optional(Type.String()),
  team_id: Type.Optional(Type.String()),
  topic: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()),
  /** The development `log` provider's scripted outcomes by token prefix. */
  rules: Type.Optional(Type.Array(Type.Object({ prefix: Type.String(), outcome: Type.String() }))),
  updated_at: Type.Optional(Type.Integer()),
});
export type PushProviderView = Static<typeof PushProviderView>;

/** `GET /v1/workspace` (and the answer of its writes). */
export const WorkspaceView = Type.Object({
  workspace: Type.Object(
    {
      site_id: Type.String(),
      name: Type.String(),
      identifier_mode: Type.String(),
      settings: Type.Record(Type.String(), Type.Unknown()),
      /** Signed identify: when each accepted secret was made and stops being accepted (never the secret). */
      identity_secrets: Type.Optional(
        Type.Array(
          Type.Object({ created_at: Type.Integer(), retires_at: Type.Union([Type.Integer(), Type.Null()]) }),
        ),
      ),
      push_providers: Type.Array(PushProviderView),
    },
    // Settings grow with each capability (write keys, …): what the server adds is shown.
    { additionalProperties: true },
  ),
});
export type WorkspaceView = Static<typeof WorkspaceView>;

/** `POST /v1/workspace/rotate-keys`: the new keys, shown once. */
export const RotateKeysResponse = Type.Object(
  {
    site_id: Type.String(),
    api_key: Type.Optional(Type.String()),
    app_api_key: Type.Optional(Type.String()),
    write_key: Type.Optional(Type.String()),
    server_write_key: Type.Optional(Type.String()),
    /** When the replaced write keys stop working (unix seconds; now when there is no overlap). */
    previous_write_keys_retire_at: Type.Optional(Type.Integer()),
  },
  // Keys later releases can rotate are shown as well.
  { additionalProperties: true },
);

/** `POST /v1/workspace/identity-secret`: how long the current secret stays accepted. */
export const IdentitySecretBody = Type.Object({
  overlap_seconds: Type.Optional(Type.Number()),
});
export type IdentitySecretBody = Static<typeof IdentitySecretBody>;
/** The new secret, shown once. */
export const IdentitySecretResponse = Type.Object({
  identity_secret: Type.String(),
  created_at: Type.Integer(),
  previous_retires_at: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
export type IdentitySecretResponse = Static<typeof IdentitySecretResponse>;
export type RotateKeysResponse = Static<typeof RotateKeysResponse>;

/** `PUT /v1/workspace`: any of these. */
export const WorkspaceUpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    identifier_mode: Type.Optional(Type.String()),
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);
export type WorkspaceUpdateBody = Static<typeof WorkspaceUpdateBody>;

/** `POST /v1/workspace/rotate-keys`: which keys to replace. */
export const RotateKeysBody = Type.Object(
  {
    track: Type.Optional(Type.Boolean()),
    app: Type.Optional(Type.Boolean()),
    /** The Pipelines public write key (`wk_…`) and server write key (`swk_…`). */
    write: Type.Optional(Type.Boolean()),
    server_write: Type.Optional(Type.Boolean()),
    /** How long replaced write keys stay accepted (seconds; default 0). */
    overlap_seconds: Type.Optional(Type.Number()),
  },
  { additionalProperties: true },
);
export type RotateKeysBody = Static<typeof RotateKeysBody>;

/** `PUT /v1/workspace/push-providers/:kind`: the provider's credentials (docs/messaging.md). */
export const PushProviderBody = Type.Object(
  { app_identifier: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
export type PushProviderBody = Static<typeof PushProviderBody>;

/** An indexed person attribute (docs/app-api.md "Indexed attributes"): Roster's extension. */
export const IndexedAttribute = Type.Object({
  name: Type.String(),
  /** `text` serves eq/in, `number` serves gt/gte/lt/lte. */
  type: Type.Union([Type.Literal('text'), Type.Literal('number')]),
  status: Type.Union([Type.Literal('building'), Type.Literal('ready'), Type.Literal('failed')]),
  /** Why the build failed (status `failed`), else null. */
  error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export type IndexedAttribute = Static<typeof IndexedAttribute>;

export const IndexedAttributeList = Type.Object({ indexed_attributes: Type.Array(IndexedAttribute) });
export type IndexedAttributeList = Static<typeof IndexedAttributeList>;

export const IndexedAttributeResponse = Type.Object({ indexed_attribute: IndexedAttribute });
export type IndexedAttributeResponse = Static<typeof IndexedAttributeResponse>;

export const IndexedAttributeBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 150 }),
  type: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('number')])),
});
export type IndexedAttributeBody = Static<typeof IndexedAttributeBody>;

export const IndexedAttributeParams = Type.Object({ name: Type.String() });
export const IndexedAttributeDeleteQuery = Type.Object({
  type: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('number')])),
});

/** `POST /v1/campaigns/webhook/preview`: a webhook action rendered for one person; nothing is sent. */
export const WebhookActionPreviewBody = Type.Object({
  action: Type.Unsafe<CampaignAction>({ type: 'object', additionalProperties: true }),
  customer_id: Type.Union([Type.String(), Type.Integer()]),
  id_type: Type.Optional(AppIdType),
  /** `{{ event.* }}` */
  event: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** `{{ trigger.* }}` */
  trigger: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type WebhookActionPreviewBody = Static<typeof WebhookActionPreviewBody>;
export const WebhookActionPreviewResponse = Type.Object({
  rendered: Type.Object({
    url: Type.String(),
    method: Type.String(),
    headers: Type.Record(Type.String(), Type.String()),
    /** The rendered body text. */
    body: Type.String(),
    /** Why this render would not be sent (the body is not JSON, …); null when it would. */
    error: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type WebhookActionPreviewResponse = Static<typeof WebhookActionPreviewResponse>;

/** `POST /v1/campaigns/:id/test-send`: one real request of the campaign's webhook action. */
export const WebhookTestSendBody = Type.Object({
  customer_id: Type.Union([Type.String(), Type.Integer()]),
  id_type: Type.Optional(AppIdType),
  event: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  trigger: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** An unsaved edit of the action (same url). */
  action: Type.Optional(Type.Unsafe<CampaignAction>({ type: 'object', additionalProperties: true })),
});
export type WebhookTestSendBody = Static<typeof WebhookTestSendBody>;
export const WebhookTestSendResponse = Type.Object({
  /** The message's id (`GET /v1/messages/:id`). */
  delivery_id: Type.String(),
  /** Why it was recorded failed instead of sent (the render); null when it was queued. */
  error: Type.Union([Type.String(), Type.Null()]),
});
export type WebhookTestSendResponse = Static<typeof WebhookTestSendResponse>;
