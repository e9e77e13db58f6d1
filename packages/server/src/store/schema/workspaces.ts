import type { Generated } from 'kysely';
import type { Json } from './columns.js';

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
  created_at: number;
  updated_at: number;
}
