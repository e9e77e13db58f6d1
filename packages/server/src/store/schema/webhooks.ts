import type { ColumnType, Generated } from 'kysely';
import type { Json, NullableJson } from './columns.js';

/** Migration 100 (docs/webhooks.md). */
export interface WebhookSubscriptionsTable {
  id: Generated<number>;
  workspace_id: number;
  url: string;
  description: Generated<string>;
  /** JSON array of event kinds (`person.created`, …). */
  events: Json;
  /** JSON array of event names `event.tracked` is limited to; null = every name. */
  event_names: NullableJson;
  /** JSON array of segment ids `segment.*` is limited to; null = every segment. */
  segment_ids: NullableJson;
  /** 1 on, 0 off (off: no new deliveries are written, queued ones wait). */
  enabled: Generated<number>;
  secret: string;
  /** The secret before the last rotation, still signing until `previous_secret_until_ms`. */
  previous_secret: string | null;
  previous_secret_until_ms: number | null;
  /** Set when the worker paused the subscription (deliveries are still written, not sent). */
  paused_reason: string | null;
  paused_at: number | null;
  /** Failed attempts since the last success. */
  failure_run: Generated<number>;
  /** Migration 105: at most this many events per request (1: one event, not an array). */
  batch: Generated<number>;
  created_at: number;
  updated_at: number;
  /** The campaign whose webhook action this endpoint is (migration 102); null for subscriptions. */
  campaign_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 132: the position of the last event this subscription has taken (store/webhooks/cursors.ts). */
  cursor_pos: Generated<number>;
  /** When the request at the cursor's head may be tried again (0: now), its failed tries, the last error. */
  retry_at_ms: Generated<number>;
  retry_attempts: Generated<number>;
  retry_error: ColumnType<string | null, string | null | undefined, string | null>;
  /** The sender working through this subscription's events, until when. */
  lease_by: ColumnType<string | null, string | null | undefined, string | null>;
  lease_until_ms: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  workspace_id: number;
  subscription_id: number;
  /** The idempotency id (`Roster-Webhook-Id`): the same on every attempt and replay. */
  event_id: string;
  event: string;
  /** Deliveries with the same key (one person) go out in id order. */
  order_key: string;
  payload: Json;
  /** pending | delivered | failed */
  status: string;
  attempts: Generated<number>;
  run_at_ms: number;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  last_error: string | null;
  created_at_ms: number;
  finished_at_ms: number | null;
  /** Migration 105: 1 while an older delivery of the same subscription and key is pending. */
  blocked: Generated<number>;
  /** A campaign webhook action's request: `{method, headers, message_id}` (migration 102). */
  request: ColumnType<unknown | null, string | null | undefined, string | null>;
}

/** Migration 105: a change some subscription wants, until the worker fans it out. */
export interface WebhookEventsTable {
  id: Generated<number>;
  workspace_id: number;
  event_id: string;
  kind: string;
  order_key: string;
  event_name: string | null;
  segment_id: number | null;
  /** The body one delivery sends: `{id, type, created_at, data}`. */
  payload: Json;
  created_at_ms: number;
  /** Migration 132, PostgreSQL: its position in commit order (null until the sender places it). */
  pos: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  workspace_id: number;
  subscription_id: number;
  delivery_id: number;
  event_id: string;
  attempted_at_ms: number;
  status_code: number | null;
  latency_ms: number;
  /** delivered | retry | failed */
  outcome: string;
  error: string | null;
  response_excerpt: string | null;
  /** Migration 132: the events a cursor request carried, `[[id, event_id, kind, created_at_ms], …]`. */
  events: ColumnType<string | null, string | null | undefined, string | null>;
}
