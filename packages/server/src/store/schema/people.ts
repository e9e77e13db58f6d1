import type { Generated } from 'kysely';
import type { Json } from './columns.js';

export interface PeopleTable {
  pid: Generated<number>;
  workspace_id: number;
  cio_id: string;
  id: string | null;
  email: string | null;
  /**
   * The email's comparison key (lib/email.ts `emailKey`: NFC, lower-cased): identifiers compare
   * case-insensitively for email, case-sensitively for id.
   */
  email_norm: string | null;
  /** Custom attributes (never id/email/cio_id), as JSON. */
  attributes: Json;
  /** attribute name → unix seconds of its last accepted change (also for id, email, cio_id). */
  attr_ts: Json;
  unsubscribed: number;
  created_at: number;
  updated_at: number;
}

export interface SuppressionsTable {
  workspace_id: number;
  /** `id` or `email`. */
  kind: string;
  /** The identifier; emails by `emailKey` (NFC, lower-cased). */
  value: string;
  created_at: number;
  /** Suppressions made by one suppress call share this key (the person's cio_id); migration 002. */
  group_key: string | null;
}

/** Which person an anonymous id was merged into (migration 002). */
export interface AnonymousLinksTable {
  workspace_id: number;
  anonymous_id: string;
  person_pid: number;
  created_at: number;
}

export interface DevicesTable {
  workspace_id: number;
  /** The push token; one token belongs to exactly one person per workspace (primary key). */
  token: string;
  person_pid: number;
  platform: string;
  last_used: number;
  attributes: Json;
  /** Read-only delivery status: '' | sent | bounced | suppressed. */
  last_status: Generated<string>;
  /** Consecutive bounces; two in a row suppress the device. */
  bounce_count: Generated<number>;
  created_at: number;
  updated_at: number;
}

/** Person attributes a workspace has indexed (migration 098, docs/app-api.md "Indexed attributes"). */
export interface AttributeIndexesTable {
  workspace_id: number;
  /** The top-level attribute key. */
  name: string;
  /** `text` (eq/in) | `number` (gt/gte/lt/lte). */
  kind: string;
  /** building | ready | failed */
  status: string;
  error: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * People whose email, once in NFC, turned out to be another person's (migration 086): each is
 * merged into that person after start-up (services/identity/email-merges.ts), then its row goes.
 */
export interface EmailMergesTable {
  pid: number;
  workspace_id: number;
  /** The normalised email (`emailKey`) that now names the person to merge into. */
  email_key: string;
  created_at: number;
}
