import type { Generated } from 'kysely';
import type { Json, NullableJson } from './columns.js';

/** Transactional templates, campaigns, their sends and broadcast triggers (migration 050). */
export interface TransactionalMessagesTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  /** Lower-cased name: `transactional_message_id` matches trigger names case-insensitively. */
  name_norm: string;
  /** A `PushTemplate`. */
  template: Json;
  created_at: number;
  updated_at: number;
}

export interface CampaignsTable {
  id: Generated<number>;
  workspace_id: number;
  name: string;
  /** triggered | broadcast */
  type: string;
  trigger: NullableJson;
  /** Denormalised from `trigger` for the listeners' lookups. */
  trigger_event: string | null;
  trigger_segment_id: number | null;
  /** Campaigns triggered by an object's change: its type (migration 072). */
  trigger_object_type: string | null;
  filter: NullableJson;
  template: NullableJson;
  transactional_message_id: number | null;
  /** null: a push; else the webhook action (migration 102). */
  action: NullableJson;
  delay_seconds: number;
  active: number;
  created_at: number;
  updated_at: number;
}

export interface CampaignSendsTable {
  /** Migration 123: the campaign's workspace (the key of a table sharded by workspace). */
  workspace_id: number;
  campaign_id: number;
  trigger_key: string;
  person_pid: number;
  delivery_id: string | null;
  created_at: number;
}

export interface BroadcastTriggersTable {
  id: Generated<number>;
  workspace_id: number;
  campaign_id: number;
  data: Json;
  audience: Json;
  /** pending | done | failed */
  status: string;
  cursor: number;
  queued: number;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** A campaign's decided send, rendered and queued after the deciding write commits (migration 101). */
export interface CampaignPendingSendsTable {
  id: Generated<number>;
  workspace_id: number;
  campaign_id: number;
  person_pid: number;
  trigger_key: string;
  data: Json;
  send_at_ms: number;
  attempts: number;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  created_at: number;
}
