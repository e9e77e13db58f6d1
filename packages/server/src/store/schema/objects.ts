import type { Generated } from 'kysely';
import type { Json, NullableJson } from './columns.js';

/** Object types of a workspace (migration 70): "1", "2", … each with a name (`Companies`). */
export interface ObjectTypesTable {
  workspace_id: number;
  type_id: string;
  name: string;
  singular_name: string;
  created_at: number;
}

/** Objects (companies, accounts, …): attributes and per-attribute times as people have. */
export interface ObjectsTable {
  oid: Generated<number>;
  workspace_id: number;
  type_id: string;
  /** The id the workspace gave it; unique per type. */
  object_id: string;
  /** Roster's immutable id for it, unique per workspace. */
  cio_object_id: string;
  attributes: Json;
  attr_ts: Json;
  created_at: number;
  updated_at: number;
}

/** A person ↔ object relationship and its own attributes. */
export interface RelationshipsTable {
  workspace_id: number;
  person_pid: number;
  object_oid: number;
  attributes: Json;
  attr_ts: Json;
  created_at: number;
  updated_at: number;
}

/** An object's history (create, attribute changes, relationships, delete); kept after deletion. */
export interface ObjectActivitiesTable {
  id: string;
  workspace_id: number;
  object_oid: number;
  type: string;
  name: string | null;
  data: NullableJson;
  source: string;
  timestamp: number;
}

/** Relationships of an anonymous person (`identify_anonymous`), moved to them when identified. */
export interface AnonymousRelationshipsTable {
  workspace_id: number;
  anonymous_id: string;
  object_oid: number;
  attributes: Json;
  attr_ts: Json;
  created_at: number;
}

/** Memberships still to update after an object change (migration 71; services/segments/object-changes.ts). */
export interface SegmentCatchupTable {
  id: Generated<number>;
  workspace_id: number;
  type_id: string;
  /** With `after_pid`: the object's related people after that pid are still to do. */
  object_oid: number | null;
  after_pid: number;
  /** A deleted object's remaining people (JSON array of pids), when `object_oid` is null. */
  pids: NullableJson;
  /** A deleted object's `delete_relationship` activities still to record for `pids` (migration 073). */
  history: NullableJson;
  created_at: number;
}
