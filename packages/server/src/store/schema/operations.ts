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

/** `roster import` progress, one row per file and workspace (migration 040). */
export interface ImportJobsTable {
  id: string;
  workspace_id: number;
  file: string;
  format: string;
  /** running | done */
  status: string;
  byte_offset: number;
  line: number;
  rows_ok: number;
  rows_failed: number;
  /** Length of the errors file after the last committed batch: a resume truncates it there. */
  errors_bytes: number;
  created_at: number;
  updated_at: number;
}
