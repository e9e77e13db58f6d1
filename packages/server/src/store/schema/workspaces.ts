import type { Generated } from 'kysely';
import type { Json, NullableJson } from './columns.js';

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
  /** Signed identify: `[{secret, created_at, retires_at}]`, NULL until a secret is made (migration 85). */
  identity_secrets: NullableJson;
  created_at: number;
  updated_at: number;
}
