import type { Clock, Timers } from '../core/platform.js';

/**
 * A clock and timers that move only when told. `advance()` fires due timers in time order and
 * lets the promises they start settle, so tests can say "30 s later" without waiting.
 * @example
 * const clock = new FakeClock(Date.UTC(2025, 0, 1));
 * createRoster({ ...config, clock, timers: clock });
 * await clock.advance(30_000);
 */
export class FakeClock implements Clock, Timers {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;

  constructor(private current = Date.UTC(2025, 0, 1)) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.current + Math.max(0, ms), fn });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Number of armed timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling their work. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].at);
      due[1].fn();
    }
    this.current = end;
    await settle();
  }
}

/** Lets queued promise chains (storage writes, fake requests) run to completion. */
export async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => queueMicrotask(r));
}
