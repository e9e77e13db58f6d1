import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A background loop for store-driven workers (push delivery, broadcast fan-out): runs `tick`
 * again at once while it reports more work, otherwise waits `pollMs` — unless `nudge()` cuts the
 * wait short. `stop()` lets the current tick finish. Errors are reported and the loop goes on,
 * since the store's leases make a retried tick harmless.
 */
export class PollingLoop {
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: AbortController | undefined;

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
        try {
          busy = await this.tick();
        } catch (err) {
          this.onError(err);
        }
        if (!busy && !this.stopping) {
          this.wake = new AbortController();
          await sleep(this.pollMs, undefined, { signal: this.wake.signal }).catch(() => {});
        }
      }
    })();
  }

  /** Skips the idle wait, e.g. right after new work was queued. */
  nudge(): void {
    this.wake?.abort();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.nudge();
    await this.loop;
    this.loop = undefined;
  }
}
