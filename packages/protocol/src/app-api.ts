import { Type, type Static } from 'typebox';

/**
 * App API wire shapes (spec app-api.md §3 and §5.2). Every attribute value on the wire is a
 * string (§5.1 rule 7); ids are strings; segment ids are positive integers.
 */

/** How a `{customer_id}` path value is read (§2.5). `phone` is answered with a 400 (not enabled). */
export const AppIdType = Type.Union([
  Type.Literal('id'),
  Type.Literal('email'),
  Type.Literal('cio_id'),
  Type.Literal('phone'),
]);
export type AppIdType = Static<typeof AppIdType>;

/** §3.1: all three keys present; `id` and `email` null when unset. */
export const AppIdentifiers = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  cio_id: Type.String(),
});
export type AppIdentifiers = Static<typeof AppIdentifiers>;

/** §3.3 a device inside `customer.devices`; `attributes` always carries `_last_status`. */
export const AppDevice = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  last_used: Type.Integer(),
  attributes: Type.Record(Type.String(), Type.String()),
});
export type AppDevice = Static<typeof AppDevice>;

/** §3.2 the customer profile. */
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

/** `POST /v1/customers/attributes`: 1..100 ids; items come back flat (§6.1). */
export const CustomersAttributesBody = Type.Object({
  ids: Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1, maxItems: 100 }),
});
export type CustomersAttributesBody = Static<typeof CustomersAttributesBody>;
export const CustomersAttributesResponse = Type.Object({ customers: Type.Array(AppCustomer) });
export type CustomersAttributesResponse = Static<typeof CustomersAttributesResponse>;

/** The filter language of `POST /v1/customers` (§4.3). Recursive: and/or hold filters, not holds one. */
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
  identifiers: Type.Array(AppIdentifiers),
  ids: Type.Array(Type.String()),
  next: Type.String(),
  count: Type.Integer(),
  count_capped: Type.Boolean(),
});
export type PrefixSearchPage = Static<typeof PrefixSearchPage>;

/** §3.5 an activity. */
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

export type SegmentConditions =
  | { and: SegmentConditions[] }
  | { or: SegmentConditions[] }
  | { not: SegmentConditions }
  | { segment: { id: number } }
  | { attribute: AttributeCondition }
  | { device: SegmentConditions }
  | { event: EventCondition };

/** A schema slot for the condition language: any object on the wire, typed as `SegmentConditions`. */
export const SegmentConditionsSchema = Type.Unsafe<SegmentConditions>({ type: 'object' });

/** §3.4 a segment, plus Roster's `conditions` (null for manual segments). */
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

/** §2.2 the App API error envelope. */
export const AppErrorBody = Type.Object({
  errors: Type.Array(
    Type.Object({
      detail: Type.String(),
      status: Type.String(),
      code: Type.Optional(Type.String()),
      source: Type.Optional(Type.Object({ pointer: Type.String() })),
    }),
  ),
});
export type AppErrorBody = Static<typeof AppErrorBody>;
