import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { startFlakyProxy, seededRandom, type FlakyProxy } from '../helpers/flaky-proxy.js';
import { activitiesOf, drain, sdk, tempStorage, type Roster } from '../sdk/helpers.js';

/**
 * The SDK on a bad network: through a proxy that, by a seeded schedule, cuts connections
 * mid-request, loses answers after the server committed, answers 500s and 429s with Retry-After,
 * stalls, and is itself restarted — while the app is restarted too (new SDK clients over the same
 * storage). Every event arrives exactly once, in order per person, and nothing is dropped.
 */
const SEED = Number(process.env.ROSTER_FLAKY_SEED ?? 20_260_501);
const DEVICES = 3;
const SESSIONS = 5;

describe.each(engines())('the SDK through a flapping network (%s)', (engine) => {
  let server: ServerProcess;
  let proxy: FlakyProxy;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startServer({ engine });
    proxy = await startFlakyProxy({
      target: server.url,
      seed: SEED,
      stallMs: 1_200,
      weights: { pass: 5, 'drop-request': 1, 'drop-response': 1.5, '500': 1, '429': 0.4, stall: 0.4 },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it(`delivers every event exactly once and in order (seed ${SEED})`, async () => {
    const random = seededRandom(SEED + 1);
    const storage = Array.from({ length: DEVICES }, () => {
      const d = tempStorage();
      dirs.push(d);
      return d;
    });
    const person = (d: number) => `flap-${engine}-${d}`;
    const next = Array.from({ length: DEVICES }, () => 0);
    const dropped: unknown[] = [];
    const launch = (d: number): Roster => {
      const c = sdk(server, proxy.url, storage[d]!, { requestTimeoutMs: 800, flushAt: 5 });
      c.on('dropped', (e) => dropped.push(e));
      return c;
    };

    for (let session = 0; session < SESSIONS; session++) {
      await Promise.all(
        Array.from({ length: DEVICES }, async (_, d) => {
          const app = launch(d);
          if (session === 0) await app.identify(person(d), { device: d });
          const calls = 6 + Math.floor(random() * 8);
          for (let k = 0; k < calls; k++) {
            const n = next[d]!++;
            if (n % 5 === 4) await app.screen('s', { n });
            else await app.track('e', { n });
            if (random() < 0.3) await app.flush();
          }
          // The app is closed (briefly trying to flush), then launched again next session.
          await app.shutdown({ timeoutMs: 100 + Math.floor(random() * 300) });
          await app.flush(); // let any request still in flight settle before the next launch
        }),
      );
      if (random() < 0.6) await proxy.restart();
    }

    // Faults actually happened, of every kind.
    const faults = new Set(proxy.log);
    for (const f of ['pass', 'drop-request', 'drop-response', '500'] as const) expect(faults).toContain(f);

    // A last launch on a calmer network delivers whatever is left.
    proxy.setWeights({ pass: 4, '500': 1, 'drop-response': 1 });
    for (let d = 0; d < DEVICES; d++) {
      const app = launch(d);
      expect(await drain(app, 20_000)).toBe(0);
      await app.shutdown({ timeoutMs: 100 });
    }
    expect(dropped).toEqual([]);

    for (let d = 0; d < DEVICES; d++) {
      const all = [
        ...(await activitiesOf(server, person(d), { type: 'event' })),
        ...(await activitiesOf(server, person(d), { type: 'screen' })),
      ].map((a) => ({ ...a, n: a.data.n as number }));
      const ns = all.map((a) => a.n).sort((x, y) => x - y);
      // Exactly once: every n, no duplicates.
      expect(ns).toEqual(Array.from({ length: next[d]! }, (_, n) => n));
      // In order: the activity history (by time, then id) follows call order.
      const byHistory = [...all].sort((x, y) => x.timestamp - y.timestamp || (x.id < y.id ? -1 : 1));
      expect(byHistory.map((a) => a.n)).toEqual(ns);
    }
  }, 110_000);
});
