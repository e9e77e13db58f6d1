import { ping } from '../store/health.js';
import { outboxDepth } from '../store/messaging/outbox.js';
import { pendingSendCount } from '../store/campaigns/pending-sends.js';
import type { DialectName } from '../store/dialect.js';
import type { Store } from '../store/store.js';
import { webhookBacklog } from '../store/webhooks/deliveries.js';

/** What `GET /healthz` and `GET /metrics` read about the server's store, without reaching into it. */
export class ServerStatusService {
  constructor(private readonly store: Store) {}

  /** The store's engine (`sqlite` or `postgres`): the health answer's `store`, the metrics' `engine`. */
  get engine(): DialectName {
    return this.store.dialect;
  }

  /** Resolves when the database answers a trivial query; rejects otherwise. */
  async storeAnswers(): Promise<void> {
    await ping(this.store.db);
  }

  /** Outbox entries waiting, by kind, and how many of them are due at `nowMs`. */
  outboxDepth(nowMs: number): Promise<Array<{ kind: string; pending: number; due: number }>> {
    return outboxDepth(this.store.db, nowMs);
  }

  /** Webhook deliveries due, changes not yet fanned out, and when the oldest of them was queued. */
  webhookBacklog(nowMs: number): Promise<{ due: number; queuedEvents: number; oldestMs: number | null }> {
    return webhookBacklog(this.store.db, this.store.dialect, nowMs);
  }

  /** Campaign sends decided and not yet rendered (docs/messaging.md "When a triggered message is rendered"). */
  campaignSendsPending(): Promise<number> {
    return pendingSendCount(this.store.db);
  }
}
