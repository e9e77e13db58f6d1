import { afterAll, describe, expect, it } from 'vitest';
import { TrackClient, RegionUS } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from '../app-api/helpers/seed.js';

/**
 * `within` windows are rechecked by a timer (shortened here to 1 s with
 * ROSTER_SEGMENT_RECHECK_SECONDS): people leave when their events age out, without any write. With
 * two processes on one PostgreSQL, the `leases` row lets only one run it: each exit is recorded once.
 */
const env = { ROSTER_LOG_LEVEL: 'warn', ROSTER_SEGMENT_RECHECK_SECONDS: '1' };

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.each(engines())('within recheck (%s)', (engine) => {
  const servers: ServerProcess[] = [];
  let seed: Seeder | undefined;
  afterAll(async () => {
    await seed?.close();
    for (const s of servers.reverse()) await s.cleanup();
  });

  it('people leave a "within" segment when their event ages out, once, with two processes', async () => {
    const first = await startServer({ engine, env });
    servers.push(first);
    if (engine === 'postgres')
      servers.push(
        await startServer({
          engine,
          env,
          databaseUrl: first.databaseUrl!,
          credentials: first.credentials,
          ownStore: false,
        }),
      );
    seed = await seeder(first);
    const auth = {
      authorization: `Bearer ${first.credentials.appApiKey}`,
      'content-type': 'application/json',
    };
    const res = await fetch(`${first.url}/v1/segments`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        segment: { name: 'Pinged lately', conditions: { event: { name: 'ping', within: '3s' } } },
      }),
    });
    const { segment } = (await res.json()) as { segment: { id: number } };
    const cio = new TrackClient(first.credentials.siteId, first.credentials.apiKey, {
      region: RegionUS,
      url: first.trackUrl,
    });
    await cio.track('pinger', { name: 'ping' });
    const count = async () =>
      (
        (await (
          await fetch(`${first.url}/v1/segments/${segment.id}/customer_count`, { headers: auth })
        ).json()) as { count: number }
      ).count;
    expect(await count()).toBe(1);
    expect(await until(count, (n) => n === 0)).toBe(0);
    // Give the other process a few more ticks to (wrongly) record a second exit.
    await new Promise((r) => setTimeout(r, 2500));
    const exits = await seed.store.db
      .selectFrom('activities')
      .select('id')
      .where('type', '=', 'exited_segment')
      .where('person_pid', 'is not', null)
      .execute();
    expect(exits).toHaveLength(1);
    const leases = await seed.store.db.selectFrom('leases').selectAll().execute();
    expect(leases.filter((l) => l.name === 'segments:within-recheck')).toHaveLength(1);
  }, 40_000);
});
