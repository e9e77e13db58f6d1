/**
 * Track API v2 batch wire shapes the SDK sends (docs/track-api.md §2). Only what the SDK emits is
 * typed; the server's full schemas live in @roster/protocol.
 */
import type { JsonObject } from './json.js';

/**
 * Exactly one identifier per person op. `anonymous_id` is not in Customer.io's published schema but
 * is accepted by Customer.io (Segment sends it) and by Roster (docs/track-api.md §2).
 */
export type PersonIdentifiers =
  { id: string } | { email: string } | { cio_id: string } | { anonymous_id: string };

interface PersonBase {
  type: 'person';
  identifiers: PersonIdentifiers;
  /** Signed identify: the token the app's backend issued for this identifier (contracts: v2 item field). */
  identity_signature?: string;
  /** Integer unix seconds. */
  timestamp: number;
}

export interface IdentifyOp extends PersonBase {
  action: 'identify';
  attributes: JsonObject;
}

export interface EventOp extends PersonBase {
  action: 'event' | 'screen' | 'page';
  /**
   * ULID assigned at enqueue time so a retried batch is de-duplicated by the server
   * (docs/track-api.md §6).
   */
  id: string;
  name: string;
  attributes: JsonObject;
}

export interface AddDeviceOp extends PersonBase {
  action: 'add_device';
  /** v2 uses `token`, not v1's `id`. */
  device: { token: string; platform: string; last_used: number; attributes: JsonObject };
}

export interface DeleteDeviceOp extends PersonBase {
  action: 'delete_device';
  device: { token: string };
}

/** Push metric (docs/track-api.md §2, §8): the delivery id is the identifier. */
export interface DeliveryOp {
  type: 'delivery';
  action: 'event';
  identifiers: { id: string };
  name: string;
  timestamp: number;
  attributes: { device_token: string };
}

export type PersonOp = IdentifyOp | EventOp | AddDeviceOp | DeleteDeviceOp;
export type BatchOp = PersonOp | DeliveryOp;

/** Body of `POST /api/v2/batch`. */
export interface BatchBody {
  batch: BatchOp[];
}

/** One failed item of a 207 response; `batch_index` is 0-based. */
export interface BatchItemError {
  batch_index: number;
  reason?: string;
  field?: string;
  message?: string;
}

/** Body of a 207 (partial failure) response. */
export interface BatchPartialResponse {
  errors: BatchItemError[];
}

/** Track API size limits (docs/track-api.md §1): items ≤ 32 KB, batch < 500 KB. */
export const MAX_ITEM_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
/** `fetch(…, {keepalive:true})` bodies are capped at 64 KB by the Fetch standard. */
export const MAX_KEEPALIVE_BYTES = 64 * 1024;
