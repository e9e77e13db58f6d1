import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A background loop for store-driven workers (push delivery, broadcast fan-out): runs `tick`
 * again at once while it reports more work, otherwise waits `pollMs` — unless `nudge()` cuts the
 * wait short (new work: queued here, or announced by another server's NOTIFY) or an earlier
 * `wakeIn` comes due (a retry this process scheduled). `stop()` lets the current tick finish.
 * Errors are reported and the loop goes on, since the store's leases make a retried tick harmless.
 */
export class PollingLoop {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: AbortController | undefined;
  /** When the current idle wait should end at the latest (Date.now() time), from `wakeIn`. */
  private wakeAtMs: number | undefined;
  /** The wait was cut short only to be re-armed for an earlier `wakeIn`, not to tick. */
  private rearm = false;
  /** A nudge came while a tick ran: the next idle wait is skipped (the tick may have missed the work). */
  private nudged = false;

  constructor(
    /** One unit of work; resolves true when there is more to do right away. */
    private readonly tick: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** True once `stop()` was called: long ticks check it to end early. */
  get stopped(): boolean {
    return this.stopping;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        let busy = false;
        this.nudged = false;
        try {
          busy = await this.tick();
        } catch (err) {
          this.onError(err);
        }
        if (!busy && !this.stopping) await this.idle();
      }
    })();
  }

  private async idle(): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return;
    }
    for (;;) {
      const now = Date.now();
      const until = Math.min(now + this.pollMs, this.wakeAtMs ?? Infinity);
      this.wake = new AbortController();
      this.rearm = false;
      await sleep(Math.max(0, until - now), undefined, { signal: this.wake.signal }).catch(() => {});
      if (!this.rearm || this.stopping) break;
    }
    this.wake = undefined;
    if (this.wakeAtMs !== undefined && this.wakeAtMs <= Date.now()) this.wakeAtMs = undefined;
  }

  /** Skips the idle wait, e.g. right after new work was queued. */
  nudge(): void {
    this.rearm = false;
    if (this.wake) this.wake.abort();
    else this.nudged = true;
  }

  /** Makes sure the loop looks again within `ms` (work this process scheduled for then). */
  wakeIn(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (this.wakeAtMs !== undefined && this.wakeAtMs <= at) return;
    this.wakeAtMs = at;
    if (this.wake) {
      this.rearm = true;
      this.wake.abort();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.nudge();
    await this.loop;
    this.loop = undefined;
  }
}

/**
 * A background worker that one `PollingLoop` drives (campaign sends, broadcast fan-out):
 * `start()`, `nudge()` when work is queued, `stop()` to let the current `runOnce()` finish.
 */
export abstract class PolledWorker {
  protected readonly poller: PollingLoop;

  protected constructor(pollMs: number, onError: (err: unknown) => void) {
    this.poller = new PollingLoop(() => this.runOnce(), pollMs, onError);
  }

  /** One unit of work; resolves true when there is more to do right away. */
  abstract runOnce(): Promise<boolean>;

  start(): void {
    this.poller.start();
  }

  nudge(): void {
    this.poller.nudge();
  }

  async stop(): Promise<void> {
    await this.poller.stop();
  }
}
