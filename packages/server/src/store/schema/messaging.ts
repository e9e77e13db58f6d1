import type { Generated } from 'kysely';
import type { Json, NullableJson } from './columns.js';

/** Push credentials, messages and the delivery outbox (migration 010). */
export interface PushProvidersTable {
  id: Generated<number>;
  workspace_id: number;
  /** apns | fcm */
  kind: string;
  /** The app (bundle id / package name) these credentials serve; '' = the workspace default. */
  app_identifier: string;
  /** Secrets: the .p8 key or the service-account JSON. Never returned by a read route. */
  config: Json;
  created_at: number;
  updated_at: number;
}

export interface MessagesTable {
  delivery_id: string;
  workspace_id: number;
  person_pid: number | null;
  customer_identifiers: NullableJson;
  /** push (the only channel so far). */
  type: string;
  /** The device token. */
  recipient: string | null;
  /** ios | android: the activity `delivery_type`. */
  delivery_type: string | null;
  transactional_message_id: string | null;
  campaign_id: number | null;
  action_id: number | null;
  broadcast_id: number | null;
  trigger_event_id: string | null;
  subject: string | null;
  /** Null when the send asked for `disable_message_retention`. */
  title: string | null;
  body: string | null;
  /** metric → unix seconds: sent, delivered, opened, converted, bounced, failed, undeliverable. */
  metrics: Json;
  failure_message: string | null;
  created_at: number;
}

/**
 * Which workspace a delivery Roster sent belongs to, by delivery id alone (migration 121): what the
 * unauthenticated delivery routes read before touching `messages`. A reference table on a
 * database sharded by workspace (docs/scaling.md "Past one database").
 */
export interface DeliveryWorkspacesTable {
  delivery_id: string;
  workspace_id: number;
}

export interface OutboxTable {
  id: Generated<number>;
  workspace_id: number;
  delivery_id: string;
  /** push */
  kind: string;
  payload: Json;
  run_at_ms: number;
  attempts: Generated<number>;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  /** pending | sent | failed | skipped */
  status: string;
  last_error: string | null;
  created_at: number;
}
