import type {
  ActivitiesPage,
  ActivityStats,
  AppCampaign,
  AppCustomer,
  AppMessageResponse,
  AppSegment,
  BroadcastTriggerBody,
  BroadcastTriggerView,
  CampaignWriteBody,
  CustomerRelationshipsPage,
  ObjectActivitiesPage,
  ObjectRelationshipsPage,
  ObjectResponse,
  ObjectsPage,
  ObjectTypeList,
  CountResponse,
  CustomerSegmentsResponse,
  CustomersAttributesResponse,
  GetCustomerResponse,
  IndexedAttributeList,
  IndexedAttributeResponse,
  MessagesPage,
  PeoplePage,
  PipelinesErrorsPage,
  PrefixSearchPage,
  RotateKeysBody,
  RotateKeysResponse,
  SegmentConditions,
  SegmentExplanation,
  SegmentHistory,
  SegmentMembershipPage,
  SegmentWriteBody,
  SendPushBody,
  SendPushResponse,
  TemplatePreviewBody,
  TemplatePreviewResponse,
  TransactionalList,
  TransactionalMessage,
  TransactionalWriteBody,
  WebhookActionPreviewBody,
  WebhookActionPreviewResponse,
  WebhookAttemptPage,
  WebhookCreateBody,
  WebhookDeliveryPage,
  WebhookList,
  WebhookReplayResponse,
  WebhookResponse,
  WebhookTestSendBody,
  WebhookTestSendResponse,
  WebhookUpdateBody,
  WorkspaceView,
} from '@roster/protocol';
import { api, enc, qs } from './client';

/** Every App API call the dashboard makes, typed by the wire shapes in `@roster/protocol`. */

type Signal = AbortSignal | undefined;
const get = <T>(path: string, signal: Signal) => api<T>('GET', path, undefined, { signal });
const person = (cioId: string) => `/customers/${enc(cioId)}`;
const object = (typeId: string, objectId: string) => `/objects/${enc(typeId)}/${enc(objectId)}`;

export const App = {
  // ---- pipelines ----
  /** Events the Pipelines API dropped, newest first. */
  pipelinesErrors: (limit: number, signal?: Signal) =>
    get<PipelinesErrorsPage>(`/pipelines/errors${qs({ limit })}`, signal),
  // ---- people ----
  customer: (cioId: string, signal?: Signal) =>
    get<GetCustomerResponse>(`${person(cioId)}/attributes?id_type=cio_id`, signal).then((r) => r.customer),
  customers: (cioIds: string[], signal?: Signal): Promise<AppCustomer[]> =>
    api<CustomersAttributesResponse>(
      'POST',
      '/customers/attributes?id_type=cio_id',
      { ids: cioIds },
      { signal },
    ).then((r) => r.customers),
  /** People a filter matches (`POST /v1/customers`). */
  search: (filter: SegmentConditions, start: string, limit: number, signal?: Signal) =>
    api<PeoplePage>('POST', `/customers${qs({ start, limit })}`, { filter }, { signal }),
  /** People whose id or email starts with `q` (Roster's `GET /v1/customers/search`). */
  prefixSearch: (q: string, start: string, limit: number, signal?: Signal) =>
    get<PrefixSearchPage>(`/customers/search${qs({ q, start, limit })}`, signal),
  activities: (cioId: string, params: { start?: string; limit?: number; type?: string }, signal?: Signal) =>
    get<ActivitiesPage>(`${person(cioId)}/activities${qs({ id_type: 'cio_id', ...params })}`, signal),
  customerSegments: (cioId: string, signal?: Signal) =>
    get<CustomerSegmentsResponse>(`${person(cioId)}/segments?id_type=cio_id`, signal).then((r) => r.segments),
  customerMessages: (cioId: string, signal?: Signal) =>
    get<MessagesPage>(`${person(cioId)}/messages?id_type=cio_id&limit=20`, signal).then((r) => r.messages),

  /** The person's objects with relationship attributes (`GET /v1/customers/:id/relationships`). */
  customerRelationships: (cioId: string, start: string, limit: number, signal?: Signal) =>
    get<CustomerRelationshipsPage>(
      `${person(cioId)}/relationships${qs({ id_type: 'cio_id', start, limit })}`,
      signal,
    ),

  // ---- objects ----
  objectTypes: (signal?: Signal) => get<ObjectTypeList>('/object_types', signal).then((r) => r.types),
  /** A type's objects a filter matches, every one without a filter (`POST /v1/objects`). */
  objects: (
    typeId: string,
    filter: SegmentConditions | null,
    start: string,
    limit: number,
    signal?: Signal,
  ) =>
    api<ObjectsPage>(
      'POST',
      `/objects${qs({ start, limit })}`,
      { object_type_id: typeId, ...(filter ? { filter } : {}) },
      { signal },
    ),
  object: (typeId: string, objectId: string, signal?: Signal) =>
    get<ObjectResponse>(`${object(typeId, objectId)}/attributes`, signal).then((r) => r.object),
  objectRelationships: (typeId: string, objectId: string, start: string, limit: number, signal?: Signal) =>
    get<ObjectRelationshipsPage>(`${object(typeId, objectId)}/relationships${qs({ start, limit })}`, signal),
  objectActivities: (typeId: string, objectId: string, start: string, limit: number, signal?: Signal) =>
    get<ObjectActivitiesPage>(`${object(typeId, objectId)}/activities${qs({ start, limit })}`, signal),

  // ---- activity ----
  allActivities: (
    params: { start?: string; limit?: number; type?: string; name?: string },
    signal?: Signal,
  ) => get<ActivitiesPage>(`/activities${qs(params)}`, signal),
  activityStats: (interval: 'hour' | 'day', signal?: Signal) =>
    get<ActivityStats>(`/activities/stats${qs({ interval, type: 'event' })}`, signal),

  // ---- segments ----
  segments: (signal?: Signal) => get<{ segments: AppSegment[] }>('/segments', signal).then((r) => r.segments),
  segment: (id: number, signal?: Signal) =>
    get<{ segment: AppSegment }>(`/segments/${id}`, signal).then((r) => r.segment),
  createSegment: (segment: SegmentWriteBody['segment']) =>
    api<{ segment: AppSegment }>('POST', '/segments', { segment }).then((r) => r.segment),
  updateSegment: (id: number, segment: SegmentWriteBody['segment']) =>
    api<{ segment: AppSegment }>('PUT', `/segments/${id}`, { segment }).then((r) => r.segment),
  deleteSegment: (id: number, dynamic: boolean) =>
    api<unknown>('DELETE', `/segments/${id}${dynamic ? '?dynamic=true' : ''}`),
  segmentCount: (id: number, signal?: Signal) =>
    get<CountResponse>(`/segments/${id}/customer_count`, signal).then((r) => r.count),
  /** How many people conditions match, nothing stored (Roster's `POST /v1/segments/count`). */
  countConditions: (conditions: SegmentConditions, signal?: Signal) =>
    api<CountResponse>('POST', '/segments/count', { conditions }, { signal }).then((r) => r.count),
  membership: (id: number, start: string, limit: number, signal?: Signal) =>
    get<SegmentMembershipPage>(`/segments/${id}/membership${qs({ start, limit })}`, signal),
  explain: (id: number, cioId: string, signal?: Signal) =>
    get<SegmentExplanation>(
      `/segments/${id}/explain${qs({ customer_id: cioId, id_type: 'cio_id' })}`,
      signal,
    ),
  history: (id: number, signal?: Signal) =>
    get<SegmentHistory>(`/segments/${id}/history`, signal).then((r) => r.points),

  // ---- messages ----
  templates: (signal?: Signal) => get<TransactionalList>('/transactional', signal).then((r) => r.messages),
  createTemplate: (t: TransactionalWriteBody) =>
    api<{ message: TransactionalMessage }>('POST', '/transactional', t).then((r) => r.message),
  updateTemplate: (id: number, t: TransactionalWriteBody) =>
    api<{ message: TransactionalMessage }>('PUT', `/transactional/${id}`, t).then((r) => r.message),
  preview: (body: TemplatePreviewBody, signal?: Signal) =>
    api<TemplatePreviewResponse>('POST', '/templates/preview', body, { signal }).then((r) => r.rendered),
  sendPush: (body: SendPushBody) => api<SendPushResponse>('POST', '/send/push', body),
  campaigns: (signal?: Signal) =>
    get<{ campaigns: AppCampaign[] }>('/campaigns', signal).then((r) => r.campaigns),
  createCampaign: (body: CampaignWriteBody) =>
    api<{ campaign: AppCampaign }>('POST', '/campaigns', body).then((r) => r.campaign),
  updateCampaign: (id: number, body: CampaignWriteBody) =>
    api<{ campaign: AppCampaign }>('PUT', `/campaigns/${id}`, body).then((r) => r.campaign),
  triggerBroadcast: (id: number, body: BroadcastTriggerBody) =>
    api<{ id: number }>('POST', `/campaigns/${id}/triggers`, body).then((r) => r.id),
  broadcastTrigger: (campaignId: number, triggerId: number, signal?: Signal) =>
    get<{ trigger: BroadcastTriggerView }>(`/campaigns/${campaignId}/triggers/${triggerId}`, signal).then(
      (r) => r.trigger,
    ),
  messages: (params: { start?: string; limit?: number }, signal?: Signal) =>
    get<MessagesPage>(`/messages${qs(params)}`, signal),
  message: (id: string, signal?: Signal) =>
    get<AppMessageResponse>(`/messages/${enc(id)}`, signal).then((r) => r.message),
  /** A campaign webhook action rendered for one person; nothing is sent (docs/webhooks.md). */
  previewWebhookAction: (body: WebhookActionPreviewBody, signal?: Signal) =>
    api<WebhookActionPreviewResponse>('POST', '/campaigns/webhook/preview', body, { signal }).then(
      (r) => r.rendered,
    ),
  /** One real request of a saved campaign's webhook action (or an unsaved edit to the same URL). */
  testSendWebhook: (campaignId: number, body: WebhookTestSendBody) =>
    api<WebhookTestSendResponse>('POST', `/campaigns/${campaignId}/test-send`, body),

  // ---- webhooks (docs/webhooks.md) ----
  webhooks: (signal?: Signal) => get<WebhookList>('/webhooks', signal).then((r) => r.webhooks),
  webhook: (id: number, signal?: Signal) =>
    get<WebhookResponse>(`/webhooks/${id}`, signal).then((r) => r.webhook),
  /** The answer carries the signing secret, shown this once. */
  createWebhook: (body: WebhookCreateBody) =>
    api<WebhookResponse>('POST', '/webhooks', body).then((r) => r.webhook),
  updateWebhook: (id: number, body: WebhookUpdateBody) =>
    api<WebhookResponse>('PUT', `/webhooks/${id}`, body).then((r) => r.webhook),
  deleteWebhook: (id: number) => api<unknown>('DELETE', `/webhooks/${id}`),
  /** A new secret (shown once); the old one keeps signing for `overlapSeconds`. */
  rotateWebhookSecret: (id: number, overlapSeconds: number) =>
    api<WebhookResponse>('POST', `/webhooks/${id}/rotate-secret`, { overlap_seconds: overlapSeconds }).then(
      (r) => r.webhook,
    ),
  webhookAttempts: (id: number, params: { start?: string; limit?: number }, signal?: Signal) =>
    get<WebhookAttemptPage>(`/webhooks/${id}/attempts${qs(params)}`, signal),
  webhookDeliveries: (
    id: number,
    params: { start?: string; limit?: number; status?: string },
    signal?: Signal,
  ) => get<WebhookDeliveryPage>(`/webhooks/${id}/deliveries${qs(params)}`, signal),
  replayDelivery: (id: number, deliveryId: number) =>
    api<WebhookReplayResponse>('POST', `/webhooks/${id}/deliveries/${deliveryId}/replay`),
  /** Every failed delivery of the last 3 days, again. */
  replayFailed: (id: number) => api<WebhookReplayResponse>('POST', `/webhooks/${id}/replay`, {}),

  // ---- workspace ----
  workspace: (signal?: Signal) => get<WorkspaceView>('/workspace', signal).then((r) => r.workspace),
  updateWorkspace: (body: { identifier_mode?: string; settings?: Record<string, unknown> }) =>
    api<WorkspaceView>('PUT', '/workspace', body).then((r) => r.workspace),
  rotateKeys: (body: RotateKeysBody) => api<RotateKeysResponse>('POST', '/workspace/rotate-keys', body),
  setPushProvider: (kind: 'apns' | 'fcm' | 'log', credentials: Record<string, unknown>) =>
    api<WorkspaceView>('PUT', `/workspace/push-providers/${kind}`, credentials),
  deletePushProvider: (kind: 'apns' | 'fcm' | 'log') =>
    api<unknown>('DELETE', `/workspace/push-providers/${kind}`),
  // ---- indexed attributes (docs/app-api.md "Indexed attributes") ----
  indexedAttributes: (signal?: Signal) =>
    get<IndexedAttributeList>('/indexed_attributes', signal).then((r) => r.indexed_attributes),
  addIndexedAttribute: (body: { name: string; type: 'text' | 'number' }) =>
    api<IndexedAttributeResponse>('POST', '/indexed_attributes', body).then((r) => r.indexed_attribute),
  removeIndexedAttribute: (name: string, type: 'text' | 'number') =>
    api<unknown>('DELETE', `/indexed_attributes/${enc(name)}${qs({ type })}`),
};
