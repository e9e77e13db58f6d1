import type { Generated } from 'kysely';
import type { NullableJson } from './columns.js';

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

/** One version per workspace, bumped whenever a dynamic segment changes (migration 030). */
export interface SegmentCatalogTable {
  workspace_id: number;
  version: number;
}

/** Membership changes per segment, +n / -n at a time (migration 030): sizes over time. */
export interface SegmentSizeLogTable {
  segment_id: number;
  timestamp: number;
  delta: number;
}
