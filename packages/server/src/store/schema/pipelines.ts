/** Write keys of the Pipelines API (migration 060): one row per key, found by its hash. */
export interface WriteKeysTable {
  /** sha256 of the key (`hashKey('write', key)`). */
  key_hash: string;
  workspace_id: number;
  /** `public` (`wk_…`) or `server` (`swk_…`). */
  kind: string;
  created_at: number;
  /** Unix seconds after which a rotated-out key stops opening the API; NULL: the current key. */
  retires_at: number | null;
}

/** `messageId`s seen in the last 48 hours, per workspace (dedupe). */
export interface PipelinesMessagesTable {
  workspace_id: number;
  message_id: string;
  received_at: number;
}

/** Events the Pipelines API dropped, newest kept per workspace. */
export interface PipelinesErrorsTable {
  id: string;
  workspace_id: number;
  received_at: number;
  type: string | null;
  message_id: string | null;
  reason: string;
  message: string;
  /** The event as sent (JSON text), cut to a bounded size. */
  event: string | null;
  /** The client, from its User-Agent. */
  source: string;
}
