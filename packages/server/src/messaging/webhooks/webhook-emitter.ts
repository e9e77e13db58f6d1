import type { Clock } from '../../lib/clock.js';
import { ulid } from '../../lib/ulid.js';
import type { ActivityTap, ObjectActivityTap } from '../../store/activities/activity-tap.js';
import { onTransactionLost } from '../../store/sql.js';
import type { Store, Tx } from '../../store/store.js';
import { enqueueWebhookEvents, type WebhookEventEntry } from '../../store/webhooks/events.js';
import { enabledSubscriptions, type SubscriptionRow } from '../../store/webhooks/subscriptions.js';
import {
  eventOfActivity,
  eventOfObjectActivity,
  kindOfActivity,
  kindOfObjectActivity,
  type WebhookEvent,
} from './webhook-events.js';

/** What the emitter needs of a subscription to decide whether an event goes to it. */
interface Selector {
  id: number;
  events: ReadonlySet<string>;
  eventNames: ReadonlySet<string> | null;
  segmentIds: ReadonlySet<number> | null;
}

function selectorOf(s: Pick<SubscriptionRow, 'id' | 'events' | 'eventNames' | 'segmentIds'>): Selector {
  return {
    id: s.id,
    events: new Set(s.events),
    eventNames: s.eventNames ? new Set(s.eventNames) : null,
    segmentIds: s.segmentIds ? new Set(s.segmentIds) : null,
  };
}

/** What matching needs of an event (the emitter's events and the queued rows the worker fans out). */
export interface Matchable {
  kind: string;
  eventName?: string | null | undefined;
  segmentId?: number | null | undefined;
}

export function wants(s: Selector, e: Matchable): boolean {
  if (!s.events.has(e.kind)) return false;
  if (e.eventName != null && s.eventNames && !s.eventNames.has(e.eventName)) return false;
  if (e.segmentId != null && s.segmentIds && !s.segmentIds.has(e.segmentId)) return false;
  return true;
}

export { selectorOf, type Selector };

/** A workspace's enabled subscriptions as the emitter matches them, and every kind they want. */
interface Entry {
  selectors: Selector[];
  kinds: ReadonlySet<string>;
}

function entryOf(rows: readonly SubscriptionRow[]): Entry {
  const selectors = rows.map(selectorOf);
  return { selectors, kinds: new Set(selectors.flatMap((s) => [...s.events])) };
}

/**
 * Writes the changes a transaction records that some subscription wants, in that transaction (the
 * activity tap, store/activities/activity-tap.ts): ONE compact row per change, however many
 * subscriptions want it — the worker fans it out to them (store/webhooks/events.ts), off the
 * request path. Each workspace's enabled subscriptions are kept in memory: on SQLite (one process) until this
 * process changes them; on PostgreSQL while the change feed listens, dropped when any server
 * changes a subscription (the `webhooks` notification of migration 100) or the feed reconnects.
 * A workspace without subscriptions costs one map lookup per write.
 */
export class WebhookEmitter {
  private readonly cache = new Map<number, Entry>();
  private generation: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Called after a transaction queued deliveries (this process's worker looks sooner). */
    private readonly onQueued: () => void = () => {},
  ) {
    onTransactionLost(() => this.cache.clear());
    store.changes?.subscribe({
      onChange: (payload) => {
        if (payload === 'webhooks') this.cache.clear();
      },
      onReset: () => this.cache.clear(),
    });
  }

  /** Forget what is cached (this process changed a subscription). */
  invalidate(): void {
    this.cache.clear();
  }

  readonly tap: ActivityTap = (trx, activities) =>
    this.collect(trx, activities, kindOfActivity, eventOfActivity);

  /** Objects' history: object.created / updated / deleted. */
  readonly objectTap: ObjectActivityTap = (trx, activities) =>
    this.collect(trx, activities, kindOfObjectActivity, eventOfObjectActivity);

  /**
   * Each change's kind is checked against the kinds its workspace's subscriptions want before its
   * event (payload included) is built: a workspace without subscriptions builds nothing.
   */
  private async collect<A extends { workspaceId: number }>(
    trx: Tx,
    activities: readonly A[],
    kindOf: (a: A) => string | undefined,
    eventOf: (a: A) => WebhookEvent | undefined,
  ): Promise<void> {
    let events: WebhookEvent[] | undefined;
    let workspaceId: number | undefined;
    let kinds: ReadonlySet<string> = new Set();
    for (const a of activities) {
      const kind = kindOf(a);
      if (kind === undefined) continue;
      if (a.workspaceId !== workspaceId) {
        kinds = await this.kinds(trx, a.workspaceId);
        workspaceId = a.workspaceId;
      }
      if (!kinds.has(kind)) continue;
      const e = eventOf(a);
      if (e) (events ??= []).push(e);
    }
    if (events) await this.emit(trx, events);
  }

  /** The kinds some enabled subscription of the workspace wants (cached with the selectors). */
  private async kinds(trx: Tx, workspaceId: number): Promise<ReadonlySet<string>> {
    return (await this.entry(trx, workspaceId)).kinds;
  }

  private async emit(trx: Tx, events: readonly WebhookEvent[]): Promise<void> {
    const entries: WebhookEventEntry[] = [];
    const nowMs = this.clock.now();
    for (const e of events) {
      const subs = (await this.entry(trx, e.workspaceId)).selectors;
      if (!subs.some((s) => wants(s, e))) continue;
      // One id per change: every subscription's delivery of it carries the same id.
      const eventId = `evt_${ulid()}`;
      entries.push({
        workspaceId: e.workspaceId,
        eventId,
        kind: e.kind,
        orderKey: e.orderKey,
        eventName: e.eventName ?? null,
        segmentId: e.segmentId ?? null,
        payload: { id: eventId, type: e.kind, created_at: e.at, data: e.data },
        nowMs,
      });
    }
    if (entries.length === 0) return;
    await enqueueWebhookEvents(trx, entries);
    this.onQueued();
  }

  /** The workspace's enabled subscriptions, from memory when what is there is known current. */
  private async entry(trx: Tx, workspaceId: number): Promise<Entry> {
    const feed = this.store.changes;
    if (feed) {
      // Nothing read while the feed was down (or before it reconnected) is known to be current.
      if (!feed.live) return entryOf(await enabledSubscriptions(trx, workspaceId));
      if (this.generation !== feed.generation) {
        this.cache.clear();
        this.generation = feed.generation;
      }
    }
    let entry = this.cache.get(workspaceId);
    if (!entry) {
      entry = entryOf(await enabledSubscriptions(trx, workspaceId));
      this.cache.set(workspaceId, entry);
    }
    return entry;
  }
}
