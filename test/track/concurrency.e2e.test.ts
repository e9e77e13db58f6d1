import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, type ServerProcess } from '../helpers/server-process.js';
import { activitiesOf, devicesOf, openServerStore, personBy, raw, startTrackServer } from './helpers.js';

/**
 * Two server processes on one PostgreSQL: concurrent identifies of one new person create exactly
 * one person, and concurrent moves of one device token leave it on exactly one person.
 */
describe.runIf(postgresAvailable())('two processes on one PostgreSQL', () => {
  let db: TestDatabase;
  let servers: ServerProcess[];
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase('track_conc');
    const credentials = randomCredentials();
    const first = await startTrackServer({
      engine: 'postgres',
      databaseUrl: db.url,
      credentials,
      ownStore: false,
    });
    const second = await startTrackServer({
      engine: 'postgres',
      databaseUrl: db.url,
      credentials,
      ownStore: false,
    });
    servers = [first, second];
    store = await openServerStore(first);
  });
  afterAll(async () => {
    await store?.close();
    for (const s of servers ?? []) await s.cleanup();
    await db?.drop();
  });

  it('concurrent identifies of the same new person create one person', async () => {
    const calls = servers.map(raw);
    for (let round = 0; round < 5; round++) {
      const email = `race-${round}@example.com`;
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 2 === 0
            ? calls[i % 2]!('PUT', `/api/v1/customers/${email}`, { [`k${i}`]: i })
            : calls[i % 2]!('PUT', `/api/v1/customers/race-${round}`, { email, [`k${i}`]: i }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      const people = await store.db
        .selectFrom('people')
        .select('pid')
        .where('email_norm', '=', email)
        .execute();
      expect(people).toHaveLength(1);
      const p = (await personBy(store, 'email', email))!;
      expect(Object.keys(p.attributes)).toHaveLength(12);
    }
  });

  it('concurrent adds of one token to different people leave it on exactly one', async () => {
    const calls = servers.map(raw);
    for (let round = 0; round < 5; round++) {
      const token = `race-token-${round}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          calls[i % 2]!('PUT', `/api/v1/customers/owner-${round}-${i}/devices`, {
            device: { id: token, platform: 'ios' },
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
      const rows = await store.db
        .selectFrom('devices')
        .select('person_pid')
        .where('token', '=', token)
        .execute();
      expect(rows).toHaveLength(1);
      // Every move out has a matching move in.
      let ins = 0;
      let outs = 0;
      for (let i = 0; i < 8; i++) {
        const p = (await personBy(store, 'id', `owner-${round}-${i}`))!;
        for (const a of await activitiesOf(store, p.pid)) {
          if (a.type !== 'device_change') continue;
          if ((a.data as { action: string }).action === 'moved_in') ins++;
          if ((a.data as { action: string }).action === 'moved_out') outs++;
        }
        if (p.pid === rows[0]!.person_pid) expect(await devicesOf(store, p.pid)).toHaveLength(1);
      }
      expect(ins).toBe(outs);
      expect(ins).toBe(7);
    }
  });
});
