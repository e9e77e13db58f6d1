import { afterAll, describe, expect, it } from 'vitest';
import { TrackClient, RegionUS } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { seeder, type Seeder } from '../app-api/helpers/seed.js';
import { waitFor } from '../helpers/wait.js';

/**
 * `within` windows are rechecked by a timer (shortened here to 1 s with
 * ROSTER_SEGMENT_RECHECK_SECONDS): people leave when their events age out, without any write. With
 * two processes on one PostgreSQL, the `leases` row lets only one run it: each exit is recorded once.
 */
const env = { ROSTER_LOG_LEVEL: 'warn', ROSTER_SEGMENT_RECHECK_SECONDS: '1' };

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
    await waitFor('the person to leave the segment', async () => (await count()) === 0, 60_000, 250);
    // Let a few more recheck rounds run, in which the other process could (wrongly) record a second
    // exit: the lease holder renews the lease on every round, so wait for two more renewals.
    const lease = async () =>
      (
        await seed!.store.db
          .selectFrom('leases')
          .select('expires_at_ms')
          .where('name', '=', 'segments:within-recheck')
          .executeTakeFirst()
      )?.expires_at_ms ?? 0;
    const renewed = await lease();
    await waitFor('two more recheck rounds', async () => (await lease()) >= renewed + 2_000, 30_000, 100);
    const exits = await seed.store.db
      .selectFrom('activities')
      .select('id')
      .where('type', '=', 'exited_segment')
      .where('person_pid', 'is not', null)
      .execute();
    expect(exits).toHaveLength(1);
    const leases = await seed.store.db.selectFrom('leases').selectAll().execute();
    expect(leases.filter((l) => l.name === 'segments:within-recheck')).toHaveLength(1);
  }, 120_000);
});
