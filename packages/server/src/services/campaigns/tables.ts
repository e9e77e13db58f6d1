import type { ColumnType, Generated, Kysely } from 'kysely';
import type { MessagingDatabase } from '../../messaging/messaging-tables.js';
import type { Tx } from '../../store/store.js';

/** The tables migration 050 adds, typed here (like the messaging tables) to leave `Database` alone. */
export interface CampaignTables {
  transactional_messages: TransactionalMessagesTable;
  campaigns: CampaignsTable;
  campaign_sends: CampaignSendsTable;
  broadcast_triggers: BroadcastTriggersTable;
}

type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown | null, string | null, string | null>;

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
  filter: NullableJson;
  template: NullableJson;
  transactional_message_id: number | null;
  delay_seconds: number;
  active: number;
  created_at: number;
  updated_at: number;
}

export interface CampaignSendsTable {
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

export type CampaignDatabase = MessagingDatabase & CampaignTables;

/** The same transaction, seen with the campaign and messaging tables. */
export function cdb(trx: Tx): Kysely<CampaignDatabase> {
  return trx as unknown as Kysely<CampaignDatabase>;
}
