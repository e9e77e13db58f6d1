import type { Clock } from '../lib/clock.js';
import {
  DeliveryWorker,
  type DeviceChangedHook,
  type MessagingService,
  type ProviderRegistry,
} from './index.js';
import type { Store } from '../store/store.js';
import { BroadcastRunner } from './campaigns/broadcast-runner.js';
import type { CampaignService } from './campaigns/campaigns.js';
import { CampaignSendRunner } from './campaigns/send-runner.js';
import type { TransactionalService } from './campaigns/transactional.js';

export interface RuntimeLog {
  info(obj: unknown, msg: string): void;
  warn(obj: unknown, msg: string): void;
  error(obj: unknown, msg: string): void;
}

/**
 * Which background loops a process runs and how (`ROSTER_DELIVERY_WORKER=0` keeps this process from
 * sending while another one does, `ROSTER_BROADCAST_WORKER=0` from fanning broadcasts out).
 */
export interface RuntimeOptions {
  /** Default true. */
  deliveryWorker?: boolean;
  /** Default true. */
  broadcastWorker?: boolean;
  /** How long pushes a crashed sender claimed wait before another process takes them (60 s). */
  deliveryLeaseMs?: number | undefined;
  /** The same for a broadcast fan-out (30 s). */
  broadcastLeaseMs?: number | undefined;
  /** People per fan-out transaction (200). */
  broadcastPageSize?: number | undefined;
  /** A pause between fan-out pages, letting other writers in on SQLite (0). */
  broadcastPauseMs?: number | undefined;
}

/** The background loops of one server process: the delivery worker and the broadcast fan-out. */
/**
 * How long an idle loop waits before looking again when PostgreSQL announces new work (NOTIFY,
 * migration 91): only a fallback for work nobody announced (a crashed sender's lease running out),
 * so an idle server stays well under one statement per second.
 */
const NOTIFIED_IDLE_MS = 10_000;

export class MessagingRuntime {
  private worker: DeliveryWorker | undefined;
  private broadcaster: BroadcastRunner | undefined;
  private sends: CampaignSendRunner | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Wakes the webhook worker after a campaign webhook action is queued (set by `createServices`). */
  onWebhookQueued: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly messaging: MessagingService,
    private readonly providers: ProviderRegistry,
    private readonly campaigns: CampaignService,
    private readonly transactional: TransactionalService,
    private readonly onDeviceChanged?: DeviceChangedHook,
  ) {}

  /** Starts the loops `options` asks for (`ServeConfig.messaging`; both by default). */
  start(options: RuntimeOptions = {}, log?: RuntimeLog): void {
    this.providers.setLog(log);
    const feed = this.store.changes;
    const idle = feed ? { pollMs: NOTIFIED_IDLE_MS } : {};
    if (options.deliveryWorker !== false) {
      this.worker = new DeliveryWorker({
        store: this.store,
        clock: this.clock,
        providers: this.providers,
        ...idle,
        ...(this.onDeviceChanged ? { onDeviceChanged: this.onDeviceChanged } : {}),
        ...(options.deliveryLeaseMs ? { leaseMs: options.deliveryLeaseMs } : {}),
        ...(log ? { log } : {}),
      });
      this.worker.start();
    }
    if (options.broadcastWorker !== false) {
      this.broadcaster = new BroadcastRunner(this.store, this.clock, this.campaigns, {
        ...idle,
        ...(options.broadcastLeaseMs ? { leaseMs: options.broadcastLeaseMs } : {}),
        ...(options.broadcastPageSize ? { pageSize: options.broadcastPageSize } : {}),
        ...(options.broadcastPauseMs ? { pauseMs: options.broadcastPauseMs } : {}),
        onPage: () => this.worker?.nudge(),
        ...(log ? { log } : {}),
      });
      this.broadcaster.start();
      // Renders what campaigns decided inside writes, after they commit.
      this.sends = new CampaignSendRunner(
        this.store,
        this.clock,
        this.messaging,
        this.campaigns,
        this.transactional,
        {
          ...idle,
          ...(options.broadcastLeaseMs ? { leaseMs: options.broadcastLeaseMs } : {}),
          onQueued: () => this.worker?.nudge(),
          onWebhookQueued: () => this.onWebhookQueued?.(),
          ...(log ? { log } : {}),
        },
      );
      this.sends.start();
    }
    // Work queued by any server (this one included) wakes the loops; so does a reconnect of the
    // listening connection, after which notifications may have been missed.
    this.unsubscribe = feed?.subscribe({
      onChange: (payload) => {
        if (payload === 'work:delivery') this.worker?.nudge();
        else if (payload === 'work:broadcast') this.broadcaster?.nudge();
        else if (payload === 'work:sends') this.sends?.nudge();
      },
      onReset: () => {
        this.worker?.nudge();
        this.broadcaster?.nudge();
        this.sends?.nudge();
      },
    });
    log?.info(
      { delivery: this.worker !== undefined, broadcasts: this.broadcaster !== undefined },
      'messaging workers started',
    );
  }

  /** After queueing: send now rather than at the next poll. */
  nudge(): void {
    this.worker?.nudge();
  }

  nudgeBroadcasts(): void {
    this.broadcaster?.nudge();
  }

  /** After a campaign send is decided: render it now rather than at the next poll. */
  nudgeSends(): void {
    this.sends?.nudge();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.broadcaster?.stop();
    await this.sends?.stop();
    await this.worker?.stop();
    await this.providers.close();
    this.broadcaster = undefined;
    this.sends = undefined;
    this.worker = undefined;
  }
}
