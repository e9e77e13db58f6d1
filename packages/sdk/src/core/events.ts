/** Typed SDK events: delivery problems are reported here, never thrown into app code. */
import type { BatchOp } from './wire.js';

/** A queued op as reported in events. `id` is the queue id (the event ULID for events). */
export interface OpRef {
  id: string;
  kind: TaskKind;
  action: BatchOp['action'];
}

/** `event` = track/screen/page; `identify`; `device` = add/delete device; `metric` = push metric. */
export type TaskKind = 'event' | 'identify' | 'device' | 'metric';

export type DropReason =
  | 'rejected' // the server answered 4xx for this op (400, 404, 422, or 413 for a single op)
  | 'partial' // listed in a 207 response
  | 'expired' // older than `queueExpirySeconds`
  | 'evicted' // removed to respect queue bounds
  | 'too_large' // a single op over 32 KB
  | 'queue_full'; // could not be queued: bounds reached and nothing evictable

export interface RosterEvents {
  queued: { op: OpRef; queueLength: number };
  sent: { ops: OpRef[]; status: number };
  dropped: { ops: OpRef[]; reason: DropReason; status?: number; message?: string };
  error: {
    code:
      | 'blank_identifier'
      | 'blank_name'
      | 'blank_token'
      | 'storage'
      | 'not_initialized'
      | 'config'
      /** The server refused an op's identity signature (403, or a 207 item with reason `forbidden`). */
      | 'forbidden';
    message: string;
  };
  paused: { until: number; status: number };
}

export type RosterEventName = keyof RosterEvents;
export type Listener<K extends RosterEventName> = (payload: RosterEvents[K]) => void;

/** Minimal typed emitter; a throwing listener is isolated so it cannot break the queue. */
export class Emitter {
  private readonly listeners = new Map<RosterEventName, Set<(p: never) => void>>();

  on<K extends RosterEventName>(name: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as (p: never) => void);
    this.listeners.set(name, set);
    return () => void set.delete(listener as (p: never) => void);
  }

  emit<K extends RosterEventName>(name: K, payload: RosterEvents[K]): void {
    for (const l of this.listeners.get(name) ?? []) {
      try {
        (l as Listener<K>)(payload);
      } catch {
        // App listener bugs must not stop delivery.
      }
    }
  }
}
