import { describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { openServerStore, personBy, raw, startTrackServer } from './helpers.js';

/**
 * A write answered 200 is committed: kill -9 the server in the middle of a stream of writes, and
 * every acknowledged write is in the store afterwards.
 */
describe.each(engines())('durability on %s', (engine) => {
  it('keeps every acknowledged write across kill -9', async () => {
    const server = await startTrackServer({ engine });
    try {
      const call = raw(server);
      const acked: number[] = [];
      let stop = false;
      const writer = async (lane: number) => {
        for (let i = 0; !stop; i++) {
          const n = lane * 100_000 + i;
          try {
            const r = await call('PUT', `/api/v1/customers/dur-${n}`, { n, lane });
            if (r.status === 200) acked.push(n);
          } catch {
            return; // the connection died with the server
          }
        }
      };
      const lanes = [0, 1, 2, 3].map(writer);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await server.kill('SIGKILL');
      stop = true;
      await Promise.all(lanes);
      expect(acked.length).toBeGreaterThan(10);
      const store = await openServerStore(server);
      try {
        const missing: number[] = [];
        for (const n of acked) {
          const p = await personBy(store, 'id', `dur-${n}`);
          if (p?.attributes.n !== n) missing.push(n);
        }
        expect(missing).toEqual([]);
      } finally {
        await store.close();
      }
      // And the restarted server answers on the same store.
      const again = await server.restart();
      try {
        expect((await raw(again)('PUT', '/api/v1/customers/after-restart', {})).status).toBe(200);
      } finally {
        await again.cleanup();
      }
    } finally {
      await server.cleanup();
    }
  }, 60_000);
});
