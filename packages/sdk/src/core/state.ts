import { isJsonObject, type JsonObject } from './json.js';
import { Task } from './task.js';

export { Task } from './task.js';

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
  v: 2;
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
    v: 2,
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

/** Storage key: one document per site id (workspace isolation). */
export function storageKey(siteId: string): string {
  return `roster:${siteId}`;
}

/**
 * The stored text: one JSON line with the identity and delivery state, then one line per queued op
 * (`Task.line()`). A cold start reads the ops' metadata without parsing every op, and a write joins
 * the ops' cached lines instead of serialising the whole queue again.
 */
export function encodeState(state: PersistedState): string {
  const { queue, ...header } = state;
  let text = JSON.stringify(header);
  for (const task of queue) text += `\n${task.line()}`;
  return text;
}

/**
 * Parses a stored document: this format (v2), or the single JSON document of SDK 0.1 (v1), which is
 * upgraded in place at the next write. Undefined for anything unrecognisable (the caller starts fresh);
 * a damaged op line is skipped.
 */
export function parseState(text: string | null | undefined): PersistedState | undefined {
  if (!text) return undefined;
  const end = text.indexOf('\n');
  let doc: unknown;
  try {
    doc = JSON.parse(end < 0 ? text : text.slice(0, end));
  } catch {
    return undefined;
  }
  if (!isJsonObject(doc) || typeof doc.anonymousId !== 'string') return undefined;
  let queue: Task[];
  if (doc.v === 1 && Array.isArray(doc.queue)) {
    queue = doc.queue.flatMap((t: unknown) =>
      isV1Task(t) ? [new Task(t.id, t.kind, t.op.action, t.at, t.bytes, t.barrier === true, t.op)] : [],
    );
  } else if (doc.v === 2) {
    queue = [];
    for (let from = end + 1; end >= 0 && from < text.length;) {
      const next = text.indexOf('\n', from);
      const task = Task.fromLine(next < 0 ? text.slice(from) : text.slice(from, next));
      if (task) queue.push(task);
      if (next < 0) break;
      from = next + 1;
    }
  } else return undefined;
  const header = doc as Partial<PersistedState>;
  return {
    ...(header as PersistedState),
    v: 2,
    queue,
    delivery: { ...emptyDelivery(), ...header.delivery },
  };
}

/** A queued op as SDK 0.1 stored it (v1: ops inline in one JSON document). */
interface V1Task {
  id: string;
  kind: Task['kind'];
  at: number;
  bytes: number;
  barrier?: boolean;
  op: Task['op'];
}

function isV1Task(t: unknown): t is V1Task {
  if (!isJsonObject(t) || !isJsonObject(t.op)) return false;
  return (
    typeof t.id === 'string' &&
    typeof t.kind === 'string' &&
    typeof t.at === 'number' &&
    typeof t.op.action === 'string'
  );
}
