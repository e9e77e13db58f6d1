import type { Clock } from '../../lib/clock.js';
import {
  DeliveryWorker,
  type DeviceChangedHook,
  type MessagingService,
  type ProviderRegistry,
} from '../../messaging/index.js';
import type { Store } from '../../store/store.js';
import { BroadcastRunner } from './broadcasts.js';
import type { CampaignService } from './campaigns.js';

export interface RuntimeLog {
  info(obj: unknown, msg: string): void;
  error(obj: unknown, msg: string): void;
}

/** The background loops of one server process: the delivery worker and the broadcast fan-out. */
export class MessagingRuntime {
  private worker: DeliveryWorker | undefined;
  private broadcaster: BroadcastRunner | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly messaging: MessagingService,
    private readonly providers: ProviderRegistry,
    private readonly campaigns: CampaignService,
    private readonly onDeviceChanged?: DeviceChangedHook,
  ) {}

  /**
   * Starts both loops as `env` says: `ROSTER_DELIVERY_WORKER=0` keeps this process from sending
   * (another process sends), `ROSTER_BROADCAST_WORKER=0` from fanning broadcasts out;
   * `ROSTER_DELIVERY_LEASE_MS` / `ROSTER_BROADCAST_LEASE_MS` set the leases (how long work a
   * crashed process held waits before another process takes it over), `ROSTER_BROADCAST_PAGE_SIZE`
   * the people per fan-out transaction (200), `ROSTER_BROADCAST_PAUSE_MS` a pause between them.
   */
  start(env: Record<string, string | undefined>, log?: RuntimeLog): void {
    const num = (key: string) => {
      const v = Number(env[key]);
      return Number.isFinite(v) && v > 0 ? v : undefined;
    };
    if (env.ROSTER_DELIVERY_WORKER !== '0') {
      const leaseMs = num('ROSTER_DELIVERY_LEASE_MS');
      this.worker = new DeliveryWorker({
        store: this.store,
        clock: this.clock,
        providers: this.providers,
        ...(this.onDeviceChanged ? { onDeviceChanged: this.onDeviceChanged } : {}),
        ...(leaseMs ? { leaseMs } : {}),
      });
      this.worker.start();
    }
    if (env.ROSTER_BROADCAST_WORKER !== '0') {
      const leaseMs = num('ROSTER_BROADCAST_LEASE_MS');
      const pageSize = num('ROSTER_BROADCAST_PAGE_SIZE');
      const pauseMs = num('ROSTER_BROADCAST_PAUSE_MS');
      this.broadcaster = new BroadcastRunner(this.store, this.clock, this.campaigns, {
        ...(leaseMs ? { leaseMs } : {}),
        ...(pageSize ? { pageSize: Math.floor(pageSize) } : {}),
        ...(pauseMs ? { pauseMs } : {}),
        onPage: () => this.worker?.nudge(),
        ...(log ? { log } : {}),
      });
      this.broadcaster.start();
    }
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

  async stop(): Promise<void> {
    await this.broadcaster?.stop();
    await this.worker?.stop();
    await this.providers.close();
    this.broadcaster = undefined;
    this.worker = undefined;
  }
}
