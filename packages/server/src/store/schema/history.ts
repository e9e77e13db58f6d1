import type { Generated } from 'kysely';
import type { Json, NullableJson } from './columns.js';

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

export interface DeliveryMetricsTable {
  seq: Generated<number>;
  workspace_id: number;
  delivery_id: string;
  metric: string;
  device_token: string | null;
  data: Json;
  timestamp: number;
  created_at: number;
}
