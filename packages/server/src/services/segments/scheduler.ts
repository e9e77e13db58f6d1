import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/store.js';
import { acquireLease, releaseLease } from '../../store/leases.js';
import { workspacesWithDynamicSegments } from '../../store/segments/segments-read.js';
import type { SegmentDefinitions } from './definitions.js';

/** The `leases` row that makes one process (of several on one PostgreSQL) run the recheck. */
export const RECHECK_LEASE = 'segments:within-recheck';

export interface RecheckLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Rechecks segments with `within` windows every `intervalMs`, so people leave (or enter, for
 * "not in the last 30 days") when events age out — writes alone would never notice. With several
 * server processes, the `leases` table elects one: the holder renews on every tick; if it dies, the
 * lease expires after two intervals and another process takes over.
 */
export class RecheckScheduler {
  readonly holder = `${process.pid}:${randomBytes(6).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly definitions: SegmentDefinitions,
    private readonly intervalMs: number,
    private readonly log?: RecheckLog,
  ) {}

  start(): this {
    if (this.timer || this.intervalMs <= 0) return this;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await releaseLease(this.store.db, RECHECK_LEASE, this.holder).catch(() => {});
  }

  /** One round: take the lease, then recheck every workspace with dynamic segments. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.round()
      .catch((err: unknown) => this.log?.error({ err }, 'segment recheck failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async round(): Promise<void> {
    const now = this.clock.now();
    const ttl = 2 * this.intervalMs + 5_000;
    if (!(await acquireLease(this.store.db, RECHECK_LEASE, this.holder, now, now + ttl))) return;
    let changed = 0;
    let renewed = now;
    for (const workspaceId of await workspacesWithDynamicSegments(this.store.db)) {
      if (this.stopping) break;
      changed += await this.definitions.recheckTimed(workspaceId, {
        stopped: () => this.stopping,
      });
      // A round over many workspaces may outlast the lease: renew it as it goes.
      if (this.clock.now() - renewed > this.intervalMs) {
        renewed = this.clock.now();
        if (!(await acquireLease(this.store.db, RECHECK_LEASE, this.holder, renewed, renewed + ttl))) break;
      }
    }
    if (changed > 0) this.log?.info({ changed }, 'segment recheck: memberships changed');
  }
}
