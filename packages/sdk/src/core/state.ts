import type { TaskKind } from './events.js';
import { isJsonObject, type JsonObject } from './json.js';
import type { BatchOp } from './wire.js';

/** One queued op. Everything needed to send it is captured at enqueue time (snapshot semantics). */
export interface Task {
  /** Queue id; for events this is also the wire `id` (ULID). */
  id: string;
  kind: TaskKind;
  /** Enqueue time, ms, for expiry. */
  at: number;
  /** Serialized size of `op` in bytes. */
  bytes: number;
  /** End the batch after this op, so what follows is sent only once it is acknowledged. */
  barrier?: true;
  op: BatchOp;
}

/** Delivery state of the queue head, persisted so backoff and pauses survive restarts. */
export interface DeliveryState {
  attempts: number;
  /** Earliest time to retry (ms); `serverWait` means it came from Retry-After and `flush()` obeys it. */
  retryAt: number | null;
  serverWait: boolean;
  /** Set by 401: nothing is sent before this time (ms). */
  pausedUntil: number | null;
  /** Set by 413 (and 4xx on a multi-op batch): next batch has at most this many ops. */
  maxItems: number | null;
}

/**
 * The single document stored per site id: identity and queue together, so one atomic write
 * keeps them consistent (a person is never "switched" without the ops that switch them).
 */
export interface PersistedState {
  v: 1;
  identifier: string | null;
  /** Signed identify: the token passed with the identify of `identifier`; absent in older documents. */
  signature?: string | null;
  anonymousId: string;
  /** Ops were queued under `anonymousId` since it was created; the next identify carries it. */
  anonymousActivity: boolean;
  token: string | null;
  /** Custom device attributes, re-sent with every registration. */
  deviceAttributes: JsonObject;
  /** The last add_device queued (person, token, platform, attributes) and when; absent in older documents. */
  deviceSent?: { fingerprint: string; at: number } | null;
  /** Profile attributes set while anonymous, merged into the next identify. */
  pendingProfile: JsonObject;
  queue: Task[];
  delivery: DeliveryState;
}

export function emptyDelivery(): DeliveryState {
  return { attempts: 0, retryAt: null, serverWait: false, pausedUntil: null, maxItems: null };
}

export function emptyState(anonymousId: string): PersistedState {
  return {
    v: 1,
    identifier: null,
    anonymousId,
    anonymousActivity: false,
    token: null,
    deviceAttributes: {},
    pendingProfile: {},
    queue: [],
    delivery: emptyDelivery(),
  };
}

/** Storage key: one document per site id (workspace isolation, sdk.md §10.13). */
export function storageKey(siteId: string): string {
  return `roster:${siteId}`;
}

/** Parses a stored document; returns undefined for anything unrecognisable (caller starts fresh). */
export function parseState(text: string | null | undefined): PersistedState | undefined {
  if (!text) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(doc) || doc.v !== 1 || !Array.isArray(doc.queue) || typeof doc.anonymousId !== 'string') {
    return undefined;
  }
  const state = doc as unknown as PersistedState;
  return { ...state, delivery: { ...emptyDelivery(), ...state.delivery } };
}
