import type { Clock } from '../../lib/clock.js';
import { ulid } from '../../lib/ulid.js';
import type { ActivityTap, ObjectActivityTap } from '../../store/activities/activity-tap.js';
import { onTransactionLost } from '../../store/sql.js';
import type { Store, Tx } from '../../store/store.js';
import { enqueueWebhookDeliveries, type WebhookDeliveryEntry } from '../../store/webhooks/deliveries.js';
import { enabledSubscriptions, type SubscriptionRow } from '../../store/webhooks/subscriptions.js';
import { eventOfActivity, eventOfObjectActivity, type WebhookEvent } from './webhook-events.js';

/** What the emitter needs of a subscription to decide whether an event goes to it. */
interface Selector {
  id: number;
  events: ReadonlySet<string>;
  eventNames: ReadonlySet<string> | null;
  segmentIds: ReadonlySet<number> | null;
}

function selectorOf(s: SubscriptionRow): Selector {
  return {
    id: s.id,
    events: new Set(s.events),
    eventNames: s.eventNames ? new Set(s.eventNames) : null,
    segmentIds: s.segmentIds ? new Set(s.segmentIds) : null,
  };
}

function wants(s: Selector, e: WebhookEvent): boolean {
  if (!s.events.has(e.kind)) return false;
  if (e.eventName !== undefined && s.eventNames && !s.eventNames.has(e.eventName)) return false;
  if (e.segmentId !== undefined && s.segmentIds && !s.segmentIds.has(e.segmentId)) return false;
  return true;
}

/**
 * Writes webhook deliveries for the changes a transaction records, in that transaction (the
 * activity tap, store/activities/activity-tap.ts): one row per event per subscription that wants
 * it. Each workspace's enabled subscriptions are kept in memory: on SQLite (one process) until this
 * process changes them; on PostgreSQL while the change feed listens, dropped when any server
 * changes a subscription (the `webhooks` notification of migration 100) or the feed reconnects.
 * A workspace without subscriptions costs one map lookup per write.
 */
export class WebhookEmitter {
  private readonly cache = new Map<number, Selector[]>();
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

  readonly tap: ActivityTap = async (trx, activities) => {
    let events: WebhookEvent[] | undefined;
    for (const a of activities) {
      const e = eventOfActivity(a);
      if (e) (events ??= []).push(e);
    }
    if (events) await this.emit(trx, events);
  };

  /** Objects' history: object.created / updated / deleted. */
  readonly objectTap: ObjectActivityTap = async (trx, activities) => {
    let events: WebhookEvent[] | undefined;
    for (const a of activities) {
      const e = eventOfObjectActivity(a);
      if (e) (events ??= []).push(e);
    }
    if (events) await this.emit(trx, events);
  };

  private async emit(trx: Tx, events: readonly WebhookEvent[]): Promise<void> {
    const entries: WebhookDeliveryEntry[] = [];
    const nowMs = this.clock.now();
    for (const e of events) {
      const subs = await this.selectors(trx, e.workspaceId);
      for (const s of subs) {
        if (!wants(s, e)) continue;
        const eventId = `evt_${ulid()}`;
        entries.push({
          workspaceId: e.workspaceId,
          subscriptionId: s.id,
          eventId,
          event: e.kind,
          orderKey: e.orderKey,
          payload: { id: eventId, type: e.kind, created_at: e.at, data: e.data },
          nowMs,
        });
      }
    }
    if (entries.length === 0) return;
    await enqueueWebhookDeliveries(trx, entries);
    this.onQueued();
  }

  /** The workspace's enabled subscriptions, from memory when what is there is known current. */
  private async selectors(trx: Tx, workspaceId: number): Promise<Selector[]> {
    const feed = this.store.changes;
    if (feed) {
      // Nothing read while the feed was down (or before it reconnected) is known to be current.
      if (!feed.live) return (await enabledSubscriptions(trx, workspaceId)).map(selectorOf);
      if (this.generation !== feed.generation) {
        this.cache.clear();
        this.generation = feed.generation;
      }
    }
    let subs = this.cache.get(workspaceId);
    if (!subs) {
      subs = (await enabledSubscriptions(trx, workspaceId)).map(selectorOf);
      this.cache.set(workspaceId, subs);
    }
    return subs;
  }
}
