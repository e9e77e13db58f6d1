import type {
  BroadcastTriggersTable,
  CampaignPendingSendsTable,
  CampaignSendsTable,
  CampaignsTable,
  TransactionalMessagesTable,
} from './campaigns.js';
import type { ActivitiesTable, DeliveryMetricsTable, EventsTable } from './history.js';
import type { DeliveryWorkspacesTable, MessagesTable, OutboxTable, PushProvidersTable } from './messaging.js';
import type {
  AnonymousRelationshipsTable,
  ObjectActivitiesTable,
  ObjectsTable,
  ObjectTypesTable,
  RelationshipsTable,
  SegmentCatchupTable,
} from './objects.js';
import type { ImportJobsTable, LeasesTable, MigrationsTable } from './operations.js';
import type {
  AnonymousLinksTable,
  AttributeIndexesTable,
  DevicesTable,
  EmailMergesTable,
  PeopleTable,
  SuppressionsTable,
} from './people.js';
import type {
  SegmentCatalogTable,
  SegmentMembershipsTable,
  SegmentSizeLogTable,
  SegmentsTable,
} from './segments.js';
import type { PipelinesErrorsTable, PipelinesMessagesTable, WriteKeysTable } from './pipelines.js';
import type { WorkspacesTable } from './workspaces.js';
import type {
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEventsTable,
  WebhookSubscriptionsTable,
} from './webhooks.js';

export type * from './campaigns.js';
export type * from './columns.js';
export type * from './history.js';
export type * from './messaging.js';
export type * from './objects.js';
export type * from './operations.js';
export type * from './people.js';
export type * from './pipelines.js';
export type * from './segments.js';
export type * from './workspaces.js';
export type * from './webhooks.js';

/**
 * Every table Roster keeps, as Kysely sees them: the one type the store's queries are written
 * against. Times are unix seconds (integers) unless a column says `_ms`. JSON columns are `jsonb`
 * on PostgreSQL and `text` on SQLite; the store reads them through `parseJson`, so services always
 * see plain objects. A migration that adds a table or column adds it here too.
 */
export interface Database {
  workspaces: WorkspacesTable;
  people: PeopleTable;
  suppressions: SuppressionsTable;
  anonymous_links: AnonymousLinksTable;
  devices: DevicesTable;
  events: EventsTable;
  activities: ActivitiesTable;
  delivery_metrics: DeliveryMetricsTable;
  segments: SegmentsTable;
  segment_memberships: SegmentMembershipsTable;
  segment_catalog: SegmentCatalogTable;
  segment_size_log: SegmentSizeLogTable;
  push_providers: PushProvidersTable;
  messages: MessagesTable;
  delivery_workspaces: DeliveryWorkspacesTable;
  outbox: OutboxTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_events: WebhookEventsTable;
  transactional_messages: TransactionalMessagesTable;
  campaigns: CampaignsTable;
  campaign_sends: CampaignSendsTable;
  campaign_pending_sends: CampaignPendingSendsTable;
  broadcast_triggers: BroadcastTriggersTable;
  leases: LeasesTable;
  import_jobs: ImportJobsTable;
  roster_migrations: MigrationsTable;
  object_types: ObjectTypesTable;
  objects: ObjectsTable;
  relationships: RelationshipsTable;
  object_activities: ObjectActivitiesTable;
  anonymous_relationships: AnonymousRelationshipsTable;
  write_keys: WriteKeysTable;
  pipelines_messages: PipelinesMessagesTable;
  pipelines_errors: PipelinesErrorsTable;
  segment_catchup: SegmentCatchupTable;
  attribute_indexes: AttributeIndexesTable;
  email_merges: EmailMergesTable;
}
