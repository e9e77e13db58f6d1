import { afterAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { openServerStore, personBy, raw, startTrackServer } from '../track/helpers.js';

/**
 * A write answered 2xx is committed: kill -9 the server in the middle of a stream of writes of
 * every kind (identify, add device, event, v2 batch), restart it on the same store, and every
 * acknowledged write is there, including those of earlier rounds. Several rounds per engine.
 * (This replaces the single-round, identify-only test/track/durability.e2e.test.ts.)
 */
const ROUNDS = 3;
const LANES = 4;
const MIN_WRITE_MS = 150;

interface Acked {
  people: Map<string, number>; // id → attribute n
  devices: Map<string, string>; // token → owner id
  events: Set<string>; // event ULIDs
}

describe.each(engines())('crash safety on %s', (engine) => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.cleanup();
  });

  it(`keeps every acknowledged write across ${ROUNDS} kill -9 rounds`, async () => {
    server = await startTrackServer({ engine });
    const acked: Acked = { people: new Map(), devices: new Map(), events: new Set() };
    const counts = { identify: 0, device: 0, event: 0, batch: 0 };

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) server = await server.restart();
      const call = raw(server);
      let stop = false;
      const writer = async (lane: number) => {
        for (let i = 0; !stop; i++) {
          const id = `r${round}-l${lane}-${i}`;
          try {
            switch ((i + lane) % 4) {
              case 0: {
                const r = await call('PUT', `/api/v1/customers/${id}`, { n: i });
                if (r.status === 200) {
                  acked.people.set(id, i);
                  counts.identify++;
                }
                break;
              }
              case 1: {
                const token = `tok-${id}`;
                const r = await call('PUT', `/api/v1/customers/${id}/devices`, {
                  device: { id: token, platform: 'ios' },
                });
                if (r.status === 200) {
                  acked.devices.set(token, id);
                  counts.device++;
                }
                break;
              }
              case 2: {
                const eid = ulid();
                const r = await call('POST', `/api/v1/customers/${id}/events`, {
                  name: 'crash',
                  id: eid,
                  data: { i },
                });
                if (r.status === 200) {
                  acked.events.add(eid);
                  counts.event++;
                }
                break;
              }
              default: {
                const bid = `${id}-b`;
                const eid = ulid();
                const r = await call('POST', '/api/v2/batch', {
                  batch: [
                    { type: 'person', action: 'identify', identifiers: { id: bid }, attributes: { n: i } },
                    { type: 'person', action: 'event', identifiers: { id: bid }, name: 'crash', id: eid },
                  ],
                });
                if (r.status === 200) {
                  acked.people.set(bid, i);
                  acked.events.add(eid);
                  counts.batch++;
                }
              }
            }
          } catch {
            return; // the connection died with the server
          }
        }
      };
      const start = { ...counts };
      const lanes = Array.from({ length: LANES }, (_, lane) => writer(lane));
      // Kill mid-stream once every kind was acknowledged a few times this round (however slow the
      // machine), plus a little more so the kill lands at varying points.
      // (The deadline only bounds a broken run; the count check below then says what was missing.)
      const deadline = Date.now() + 60_000;
      while (
        Date.now() < deadline &&
        (Object.keys(counts) as Array<keyof typeof counts>).some((k) => counts[k] - start[k] < 3)
      )
        await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, MIN_WRITE_MS + round * 70));
      await server.kill('SIGKILL');
      stop = true;
      await Promise.all(lanes);

      // Every acknowledged write so far, this round's and the earlier rounds', is in the store.
      const store = await openServerStore(server);
      try {
        const missing: string[] = [];
        for (const [id, n] of acked.people) {
          const p = await personBy(store, 'id', id);
          if (p?.attributes.n !== n) missing.push(`person ${id}`);
        }
        const tokens = [...acked.devices.keys()];
        const devices = new Map<string, number>();
        for (let i = 0; i < tokens.length; i += 500) {
          const rows = await store.db
            .selectFrom('devices')
            .innerJoin('people', 'people.pid', 'devices.person_pid')
            .select(['devices.token', 'people.id'])
            .where('devices.token', 'in', tokens.slice(i, i + 500))
            .execute();
          for (const r of rows) devices.set(r.token, r.id === acked.devices.get(r.token) ? 1 : 0);
        }
        for (const t of tokens) if (devices.get(t) !== 1) missing.push(`device ${t}`);
        const eids = [...acked.events];
        const found = new Set<string>();
        for (let i = 0; i < eids.length; i += 500) {
          const rows = await store.db
            .selectFrom('events')
            .select('event_id')
            .where('event_id', 'in', eids.slice(i, i + 500))
            .execute();
          for (const r of rows) found.add(r.event_id);
        }
        for (const e of eids) if (!found.has(e)) missing.push(`event ${e}`);
        expect(missing).toEqual([]);
      } finally {
        await store.close();
      }
    }
    // Enough of every kind was acknowledged for the check to mean something.
    for (const n of Object.values(counts)) expect(n).toBeGreaterThanOrEqual(3 * ROUNDS);

    // The restarted server answers on the same store, through both APIs.
    server = await server.restart();
    expect((await raw(server)('PUT', '/api/v1/customers/after-crashes', {})).status).toBe(200);
    const [someId, n] = [...acked.people][0]!;
    const res = await fetch(`${server.appUrl}/customers/${someId}/attributes`, {
      headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { customer: { attributes: { n: string } } }).customer.attributes.n).toBe(
      String(n),
    );
  }, 300_000);
});
