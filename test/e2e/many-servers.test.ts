import { TrackClient } from 'customerio-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';

/**
 * Many servers, one database (docs/scaling.md): two `roster serve` processes on one PostgreSQL take
 * concurrent identifies of the same new people, moves of the same device tokens, and writes that
 * move people in and out of a segment, half through each. Afterwards: one person per identifier,
 * each token on one person, and the segment's memberships equal a fresh evaluation of its
 * condition over the people table.
 */
describe.runIf(postgresAvailable())('two servers on one PostgreSQL under concurrent writes', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let sql: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('many');
    const credentials = randomCredentials();
    [a, b] = await Promise.all([
      startServer({ engine: 'postgres', databaseUrl: db.url, credentials }),
      startServer({ engine: 'postgres', databaseUrl: db.url, credentials }),
    ]);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await a?.cleanup();
    await b?.cleanup();
    await db?.drop();
  });

  it('keeps one person per identifier, one person per token, and exact memberships', async () => {
    const { siteId, apiKey, appApiKey } = a.credentials;
    const track = [a, b].map((s) => new TrackClient(siteId, apiKey, { url: s.trackUrl }));
    const seg = await fetch(`${a.url}/v1/segments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        segment: { name: 'Pro', conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } },
      }),
    });
    expect(seg.status).toBe(200);
    const segmentId = ((await seg.json()) as { segment: { id: number } }).segment.id;

    const people = Array.from({ length: 8 }, (_, i) => `person-${i}`);
    const tokens = Array.from({ length: 4 }, (_, i) => `token-${i}`);
    const writes: Array<Promise<unknown>> = [];
    for (let round = 0; round < 6; round++)
      for (const [i, id] of people.entries()) {
        const via = track[(round + i) % 2]!;
        // The same new people through both servers at once, flipping in and out of the segment.
        writes.push(
          via.identify(id, { email: `${id}@example.com`, plan: (round + i) % 3 === 0 ? 'pro' : 'free' }),
        );
        // Each token registered by several people through both servers: it must end on one.
        writes.push(via.addDevice(id, tokens[(round + i) % tokens.length]!, 'ios'));
      }
    // Also v2 batches naming the same people, through both servers.
    for (const s of [a, b])
      writes.push(
        fetch(`${s.url}/api/v2/batch`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            batch: people.map((id) => ({
              type: 'person',
              action: 'identify',
              identifiers: { id },
              attributes: { plan: 'pro' },
            })),
          }),
        }).then((r) => expect(r.status).toBe(200)),
      );
    await Promise.all(writes);

    const perId = await sql.query<{ id: string; n: string }>(
      'select id, count(*) as n from people where id is not null group by id order by id',
    );
    expect(perId.rows.map((r) => [r.id, Number(r.n)])).toEqual(people.map((id) => [id, 1]).sort());
    const perEmail = await sql.query<{ n: string }>(
      'select count(*) as n from people group by email_norm having count(*) > 1',
    );
    expect(perEmail.rows).toEqual([]);

    const perToken = await sql.query<{ token: string; n: string }>(
      'select token, count(*) as n from devices group by token order by token',
    );
    expect(perToken.rows.map((r) => [r.token, Number(r.n)])).toEqual(tokens.map((t) => [t, 1]));

    const members = await sql.query<{ pid: string }>(
      'select person_pid as pid from segment_memberships where segment_id = $1 order by person_pid',
      [segmentId],
    );
    const fresh = await sql.query<{ pid: string }>(
      `select pid from people where attributes->>'plan' = 'pro' order by pid`,
    );
    expect(members.rows.map((r) => Number(r.pid))).toEqual(fresh.rows.map((r) => Number(r.pid)));
  });

  it("holds each server's connections within its pool (10) plus one listening, under more concurrent writes than that", async () => {
    // docs/scaling.md "Connections": size max_connections for servers × 11.
    const { siteId, apiKey } = a.credentials;
    const auth = `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`;
    const connections = async () =>
      (
        await sql.query<{ listening: string; total: string }>(
          `select count(*) filter (where application_name = 'roster-listen') as listening, count(*) as total
             from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
               and backend_type = 'client backend'`,
        )
      ).rows[0]!;
    let settled = false;
    const writes = Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${[a, b][i % 2]!.url}/api/v1/customers/conn-${i}`, {
          method: 'PUT',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ plan: 'pro', n: i }),
        }).then((r) => r.status),
      ),
    ).finally(() => (settled = true));
    const samples: Array<{ listening: number; total: number }> = [];
    // Sampled for as long as the writes are in flight (at least once).
    do {
      const c = await connections();
      samples.push({ listening: Number(c.listening), total: Number(c.total) });
    } while (!settled);
    expect((await writes).filter((s) => s !== 200)).toEqual([]);
    expect(Math.max(...samples.map((s) => s.total))).toBeLessThanOrEqual(2 * 11);
    expect(Math.max(...samples.map((s) => s.listening))).toBeLessThanOrEqual(2);
  });
});
