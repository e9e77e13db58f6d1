/**
 * What the OpenAPI document says about routes that declare no fastify `schema`: a summary, and the
 * names of the TypeBox schemas (exported by `@roster/protocol`) for the body and the 200 answer.
 * Keyed by `METHOD path` with fastify's `:param` syntax; App API routes are listed under `/v1`
 * (the `/v1/api` legacy prefix reuses them). A route missing here is still documented, from its
 * method, path and parameters — add a line when you add a route.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  body?: string;
  response?: string;
  /** Status of the success answer when not 200. */
  status?: number;
  query?: Array<{ name: string; description: string; required?: boolean; enum?: string[] }>;
}

const idType = {
  name: 'id_type',
  description: 'How customer_id is read: id (default), email or cio_id.',
  enum: ['id', 'email', 'cio_id'],
};
const objectIdType = {
  name: 'id_type',
  description: 'How object_id is read: object_id (default) or cio_object_id.',
  enum: ['object_id', 'cio_object_id'],
};
const page = [
  { name: 'start', description: 'Cursor from the previous page (`next`).' },
  { name: 'limit', description: 'Page size.' },
];

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  // Track API v1 (HTTP Basic site_id:api_key)
  'PUT /api/v1/customers/:identifier': {
    summary: 'Identify a person (create or update attributes)',
    body: 'TrackIdentifyBody',
  },
  'DELETE /api/v1/customers/:identifier': { summary: 'Delete a person' },
  'PUT /api/v1/customers/:identifier/devices': { summary: 'Add or update a device', body: 'TrackDeviceBody' },
  'DELETE /api/v1/customers/:identifier/devices/:device_id': { summary: 'Delete a device' },
  'POST /api/v1/customers/:identifier/suppress': { summary: 'Suppress (delete and block) a person' },
  'POST /api/v1/customers/:identifier/unsuppress': { summary: 'Unsuppress a person' },
  'POST /api/v1/customers/:identifier/events': {
    summary: 'Track an event for a person',
    body: 'TrackEventBody',
  },
  'POST /api/v1/events': { summary: 'Track an anonymous event', body: 'TrackAnonymousEventBody' },
  'POST /api/v1/merge_customers': { summary: 'Merge two people', body: 'TrackMergeBody' },
  'POST /api/v1/segments/:segment_id/add_customers': {
    summary: 'Add people to a manual segment',
    body: 'TrackSegmentBody',
    query: [idType],
  },
  'POST /api/v1/segments/:segment_id/remove_customers': {
    summary: 'Remove people from a manual segment',
    body: 'TrackSegmentBody',
    query: [idType],
  },
  'POST /api/v1/forms/:form_id/submit': { summary: 'Submit a form', body: 'TrackFormBody' },
  'POST /api/v1/metrics': { summary: 'Report a delivery metric', body: 'TrackMetricBody' },
  'POST /api/v1/push/events': {
    summary: 'Report a push event (delivered, opened…)',
    body: 'TrackPushEventBody',
  },
  'POST /push/events': { summary: 'Report a push event (legacy path)', body: 'TrackPushEventBody' },
  'POST /api/v1/cio_deliveries/events': { summary: 'Report a delivery event', body: 'TrackPushEventBody' },
  'GET /api/v1/accounts/region': { summary: 'The account region', response: 'TrackRegionResponse' },
  'POST /unsubscribe/:delivery_id': {
    summary: 'Unsubscribe the person a delivery went to',
    body: 'TrackUnsubscribeBody',
  },
  // Track API v2
  'POST /api/v2/entity': { summary: 'Apply one v2 operation', body: 'TrackV2Operation' },
  'POST /api/v2/batch': {
    summary: 'Apply a batch of v2 operations (207 lists the failed ones)',
    body: 'TrackV2BatchBody',
  },
  // App API (Bearer)
  'GET /v1/customers/:customer_id/attributes': {
    summary: "A person's profile",
    response: 'GetCustomerResponse',
    query: [idType],
  },
  'GET /v1/customers': {
    summary: 'People with an email',
    response: 'EmailLookupResponse',
    query: [{ name: 'email', description: 'The email to look up.', required: true }],
  },
  'POST /v1/customers': {
    summary: 'Search people with a filter',
    body: 'SearchCustomersBody',
    response: 'PeoplePage',
    query: page,
  },
  'GET /v1/customers/search': {
    summary: 'People whose id or email starts with q (or whose cio_id is q), with a count',
    response: 'PrefixSearchPage',
    query: [
      { name: 'q', description: 'The start of an id or email, or a whole cio_id.', required: true },
      ...page,
    ],
  },
  'POST /v1/customers/attributes': {
    summary: 'Several profiles at once',
    body: 'CustomersAttributesBody',
    response: 'CustomersAttributesResponse',
    query: [idType],
  },
  'GET /v1/customers/:customer_id/segments': {
    summary: "A person's segments",
    response: 'CustomerSegmentsResponse',
    query: [idType],
  },
  'GET /v1/customers/:customer_id/activities': {
    summary: "A person's activities",
    response: 'ActivitiesPage',
    query: [idType, ...page, { name: 'type', description: 'Only activities of this type.' }],
  },
  'GET /v1/customers/:customer_id/messages': {
    summary: 'Messages sent to a person',
    query: [idType, ...page],
  },
  'GET /v1/activities': { summary: 'Activities of the workspace', response: 'ActivitiesPage', query: page },
  'GET /v1/segments': { summary: 'List segments' },
  'POST /v1/segments': { summary: 'Create a segment', body: 'CreateSegmentBody' },
  'POST /v1/segments/count': { summary: 'Count the people conditions match' },
  'PUT /v1/segments/:segment_id': { summary: 'Update a segment', body: 'CreateSegmentBody' },
  'GET /v1/segments/:segment_id': { summary: 'A segment' },
  'DELETE /v1/segments/:segment_id': { summary: 'Delete a segment', status: 204 },
  'GET /v1/segments/:segment_id/history': { summary: "A segment's size over time" },
  'GET /v1/segments/:segment_id/explain': {
    summary: 'Why a person is or is not in a segment',
    query: [idType, { name: 'customer_id', description: 'The person.', required: true }],
  },
  'GET /v1/segments/:segment_id/customer_count': { summary: "A segment's size" },
  'GET /v1/segments/:segment_id/membership': {
    summary: "A segment's members",
    response: 'SegmentMembershipPage',
    query: page,
  },
  'GET /v1/segments/:segment_id/used_by': { summary: 'What refers to a segment', response: 'SegmentUsedBy' },
  'GET /v1/object_types': { summary: 'List object types (with how many objects each has)' },
  'POST /v1/object_types': { summary: 'Create an object type {name, singular_name?} (Roster)' },
  'PUT /v1/object_types/:object_type_id': { summary: 'Rename an object type (Roster)' },
  'POST /v1/objects': {
    summary: "Find a type's objects by filter {object_type_id, filter}",
    query: page,
  },
  'GET /v1/objects/:object_type_id/:object_id/attributes': {
    summary: "An object's attributes",
    query: [objectIdType],
  },
  'GET /v1/objects/:object_type_id/:object_id/relationships': {
    summary: 'The people related to an object, with relationship attributes',
    query: [objectIdType, ...page],
  },
  'GET /v1/objects/:object_type_id/:object_id/activities': {
    summary: "An object's history, newest first (Roster)",
    query: [objectIdType, ...page],
  },
  'GET /v1/customers/:customer_id/relationships': {
    summary: "A person's objects, with relationship attributes",
    query: [idType, ...page],
  },
  'GET /v1/messages': { summary: 'Messages', query: page },
  'GET /v1/messages/:message_id': { summary: 'A message' },
  // Operations
  'GET /healthz': { summary: 'Health: the store answers' },
  'GET /metrics': { summary: 'Prometheus metrics (Bearer ROSTER_METRICS_TOKEN when set)' },
  'GET /openapi.json': { summary: 'This document' },
  'GET /docs': { summary: 'This document, readable' },
  'GET /': { summary: 'The dashboard' },
};
