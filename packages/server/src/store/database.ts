import type { ColumnType, Generated } from 'kysely';

/**
 * The tables Roster keeps, as Kysely sees them. Times are unix seconds (integers) unless a
 * column says `_ms`. JSON columns are `jsonb` on PostgreSQL and `text` on SQLite; the store
 * reads them through `parseJson`, so services always see plain objects.
 */
export interface Database {
  workspaces: WorkspacesTable;
  people: PeopleTable;
  suppressions: SuppressionsTable;
  devices: DevicesTable;
  events: EventsTable;
  activities: ActivitiesTable;
  segments: SegmentsTable;
  segment_memberships: SegmentMembershipsTable;
  delivery_metrics: DeliveryMetricsTable;
  leases: LeasesTable;
  anonymous_links: AnonymousLinksTable;
  roster_migrations: MigrationsTable;
}

type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown | null, string | null, string | null>;

export interface WorkspacesTable {
  id: Generated<number>;
  site_id: string;
  name: string;
  /** sha256 of the tracking API key (HTTP Basic on the Track API). */
  track_key_hash: string;
  /** sha256 of the App API key (Bearer on the App API); unique so a Bearer token finds its workspace. */
  app_key_hash: string;
  /** `id` | `email` | `email_or_id`. */
  identifier_mode: string;
  settings: Json;
  created_at: number;
  updated_at: number;
}

export interface PeopleTable {
  pid: Generated<number>;
  workspace_id: number;
  cio_id: string;
  id: string | null;
  email: string | null;
  /** Lower-cased email: identifiers compare case-insensitively for email, case-sensitively for id. */
  email_norm: string | null;
  /** Custom attributes (never id/email/cio_id), as JSON. */
  attributes: Json;
  /** attribute name → unix seconds of its last accepted change (also for id, email, cio_id). */
  attr_ts: Json;
  unsubscribed: number;
  created_at: number;
  updated_at: number;
}

export interface SuppressionsTable {
  workspace_id: number;
  /** `id` or `email`. */
  kind: string;
  /** The identifier; emails lower-cased. */
  value: string;
  created_at: number;
  /** Suppressions made by one suppress call share this key (the person's cio_id); migration 002. */
  group_key: string | null;
}

/** Which person an anonymous id was merged into (migration 002). */
export interface AnonymousLinksTable {
  workspace_id: number;
  anonymous_id: string;
  person_pid: number;
  created_at: number;
}

export interface DevicesTable {
  workspace_id: number;
  /** The push token; one token belongs to exactly one person per workspace (primary key). */
  token: string;
  person_pid: number;
  platform: string;
  last_used: number;
  attributes: Json;
  /** Read-only delivery status: '' | sent | bounced | suppressed. */
  last_status: Generated<string>;
  /** Consecutive bounces; two in a row suppress the device. */
  bounce_count: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  seq: Generated<number>;
  workspace_id: number;
  /** ULID, client-supplied for dedupe or generated; unique per workspace. */
  event_id: string;
  person_pid: number | null;
  anonymous_id: string | null;
  /** event | page | screen */
  type: string;
  name: string;
  data: Json;
  timestamp: number;
  created_at: number;
}

export interface ActivitiesTable {
  /** ULID: sortable, newest first is `ORDER BY id DESC`. */
  id: string;
  workspace_id: number;
  person_pid: number | null;
  /** The person's identifiers when the activity was recorded (people can be deleted). */
  customer_identifiers: NullableJson;
  type: string;
  name: string | null;
  data: NullableJson;
  /** Where the change came from: track_v1, track_v2, sdk/<agent>, app_api, cli, system. */
  source: string;
  delivery_id: string | null;
  delivery_type: string | null;
  timestamp: number;
  /** 1 once the person has been deleted, so `deleted=true` can find their history. */
  deleted: Generated<number>;
}

export interface SegmentsTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  description: string;
  /** manual | dynamic */
  type: string;
  conditions: NullableJson;
  tags: NullableJson;
  created_at: number;
  updated_at: number;
}

export interface SegmentMembershipsTable {
  workspace_id: number;
  segment_id: number;
  person_pid: number;
  entered_at: number;
}

export interface DeliveryMetricsTable {
  seq: Generated<number>;
  workspace_id: number | null;
  delivery_id: string;
  metric: string;
  device_token: string | null;
  data: Json;
  timestamp: number;
  created_at: number;
}

/** Named leases so that, with several servers on one PostgreSQL, only one runs a scheduler. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at_ms: number;
}

export interface MigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}
