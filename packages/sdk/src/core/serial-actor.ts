/**
 * Serialises every state mutation (packages/sdk/README.md "Better than the classic SDKs"): jobs run
 * one at a time in call order, so enqueue order always equals call order, even when storage is
 * async. Jobs that arrive while one write is in flight are applied together and committed with one
 * write ("group commit"); each job's promise resolves only after the write that contains it
 * succeeded.
 */
export class SerialActor<S> {
  private pending: Array<{
    job: (state: S) => unknown;
    persist: boolean;
    done: (v: unknown) => void;
    fail: (e: unknown) => void;
  }> = [];
  private draining = false;

  constructor(
    private readonly state: () => Promise<S>,
    private readonly write: (state: S) => Promise<void>,
  ) {}

  /** Runs `job` against the state in order; with `persist`, resolves once the result is stored. */
  run<T>(job: (state: S) => T | Promise<T>, persist = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ job, persist, done: resolve as (v: unknown) => void, fail: reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        // Load first, then take the group: calls made while the state loads (a cold start's launch
        // refresh and the app's first identify) commit together in one write.
        const state = await this.state();
        const group = this.pending;
        this.pending = [];
        const results: Array<{ ok: boolean; value: unknown }> = [];
        for (const item of group) {
          try {
            results.push({ ok: true, value: await item.job(state) });
          } catch (error) {
            results.push({ ok: false, value: error });
          }
        }
        let writeError: unknown;
        if (group.some((g) => g.persist)) {
          try {
            await this.write(state);
          } catch (error) {
            writeError = error ?? new Error('write failed');
          }
        }
        group.forEach((item, i) => {
          const r = results[i]!;
          if (!r.ok) item.fail(r.value);
          else if (writeError !== undefined && item.persist) item.fail(writeError);
          else item.done(r.value);
        });
      }
    } finally {
      this.draining = false;
    }
  }
}
