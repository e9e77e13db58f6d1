import type { RemovalHistory } from '../../store/segments/segment-sets.js';
import type { PersonChanges } from './person-changes.js';
import type { Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { EventLookup } from '../../store/track/events.js';

/** Who is writing and when: every Track write carries one. */
export interface WriteContext {
  workspace: Workspace;
  /** Activity source: `track_v1`, `track_v2` or `sdk`, optionally `:<user agent>`. */
  source: string;
  /** Receive time, unix seconds. */
  now: number;
}

/**
 * Called inside the write transaction, after the write, once per person whose attributes, devices,
 * events, identifiers or existence changed (the person may no longer exist). The segments engine
 * (docs/segments.md "What happens on a write") plugs in here so memberships commit with the change that caused them.
 */
/**
 * Called for each person a write changed, inside its transaction. `attributes`, when given, says
 * the write changed only those attributes of an existing person (nothing else about them).
 */
export type PersonChangeListener = (
  trx: Tx,
  workspace: Workspace,
  personPid: number,
  attributes?: ReadonlySet<string>,
  /** Whether this write deleted the person. */
  removed?: boolean,
) => Promise<void>;

/** An event a write stored for a person: campaign triggers (docs/messaging.md "Campaigns") listen for these. */
export interface TrackedEvent {
  workspaceId: number;
  personPid: number;
  eventId: string;
  type: string;
  name: string;
  data: Record<string, unknown>;
  timestamp: number;
}

/** Called inside the write transaction, after the person-change listeners, once per stored event. */
export type EventListener = (trx: Tx, workspace: Workspace, event: TrackedEvent) => Promise<void>;

/**
 * Messaging's side of a client-reported push metric (`applyDeliveryMetric`): updates the message
 * and records its `delivered_push` / `opened_push` / `converted_push` activity once.
 */
export type DeliveryMetricHook = (
  trx: Tx,
  input: {
    deliveryId: string;
    metric: 'delivered' | 'opened' | 'converted';
    timestamp?: number;
    workspaceId: number | null;
    source: string;
  },
) => Promise<'applied' | 'duplicate' | 'unknown_delivery'>;

/** An object whose attributes changed, or that was deleted (with the people it was related to). */
export interface ObjectChange {
  typeId: string;
  oid: number;
  /** The attributes the write changed (campaigns triggered by an object's change read them). */
  attributes?: string[];
  /** A deleted object: the people it was related to. */
  removedPids?: number[];
  /** …and what their `delete_relationship` activities say (recorded with their re-evaluation). */
  removal?: RemovalHistory;
}

/** Called inside the write transaction, after the person listeners, once per changed object. */
export type ObjectChangeListener = (trx: Tx, workspace: Workspace, change: ObjectChange) => Promise<void>;

/** What a write step reports back to the transaction wrapper. */
export interface WriteEffects {
  /** Objects this write changed (attributes) or deleted: the object listeners run for each. */
  objects?: ObjectChange[];
  /** pids whose state changed: the listeners run for each. */
  changed: PersonChanges;
  /** Set by writes that find their workspace themselves (unauthenticated unsubscribe). */
  workspace?: Workspace;
  /** Events stored by this write, for the event listeners. */
  events?: TrackedEvent[];
  /** Set by the wrapper when messaging is wired: delivery metrics also update `messages`. */
  deliveryMetric?: DeliveryMetricHook;
}

/** One validated write: the identities to lock first, and the work to run inside the transaction. */
export interface TrackWrite {
  lockKeys: string[];
  /**
   * The events the write will store (ids given by the client, names): on PostgreSQL the
   * transaction's first read looks them up with the people (store/track/events.ts).
   */
  events?: readonly EventLookup[];
  run(trx: Tx, ctx: WriteContext, fx: WriteEffects): Promise<void>;
}
