import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns something truthy and resolves with that value; throws, naming
 * `what`, once `timeoutMs` has passed. Tests wait for the condition they mean with this, never for
 * a fixed time: the timeout is only a bound on a broken run, so it is generous (a busy 2-core
 * machine may take many times longer than an idle one).
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  // One push that meets a provider timeout (15 s) and is retried after its backoff takes over 20 s.
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
