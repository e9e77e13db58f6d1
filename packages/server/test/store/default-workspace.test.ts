import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPerson } from '../../src/store/track/people.js';
import { systemClock } from '../../src/lib/clock.js';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { migrate } from '../../src/store/migrate.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import {
  createTestDatabase,
  postgresAvailable,
  type TestDatabase,
} from '../../../../test/helpers/postgres.js';

// Several servers starting together on one empty PostgreSQL must agree on one default workspace.
describe.runIf(postgresAvailable())('the default workspace, with servers starting together', () => {
  let database: TestDatabase;
  let stores: Store[];

  beforeAll(async () => {
    database = await createTestDatabase('defaultws');
    stores = [1, 2, 3, 4].map(() => openPostgresStore({ connectionString: database.url }));
    await migrate(stores[0]!);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await database?.drop();
  });

  it('creates exactly one generated workspace, and prints its keys exactly once', async () => {
    const results = await Promise.all(
      stores.map((s) => new WorkspaceService(s, systemClock).ensureDefault()),
    );
    expect(new Set(results.map((r) => r.workspace.siteId)).size).toBe(1);
    expect(results.filter((r) => r.generated)).toHaveLength(1);
    expect(await new WorkspaceService(stores[0]!, systemClock).list()).toHaveLength(1);
  });

  it('creates the configured workspace once when every server is given the same keys', async () => {
    const given = { siteId: 'together', apiKey: 'trackkey-together', appApiKey: 'app_together_0123456789' };
    await Promise.all(stores.map((s) => new WorkspaceService(s, systemClock).ensureDefault(given)));
    const service = new WorkspaceService(stores[1]!, systemClock);
    expect((await service.list()).filter((w) => w.siteId === 'together')).toHaveLength(1);
    expect(await service.authenticateTrack('together', 'trackkey-together')).toBeDefined();
  });
});

// The Track write path's statements run as named prepared statements on PostgreSQL, unless turned
// off for poolers that cannot carry them (ROSTER_PG_PREPARED_STATEMENTS=off).
describe.runIf(postgresAvailable())('named prepared statements on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('prepared');
  });
  afterAll(async () => {
    await database?.drop();
  });

  const preparedAfterALookup = async (preparedStatements: boolean): Promise<string[]> => {
    const store = openPostgresStore({ connectionString: database.url, preparedStatements });
    try {
      await migrate(store);
      return await store.transaction(async (trx) => {
        // A transaction's first statement carries its BEGIN (one simple query, values inlined):
        // the one after it is a hot statement run on its own.
        await findPerson(trx, 1, { kind: 'id', value: 'nobody' });
        await findPerson(trx, 1, { kind: 'id', value: 'nobody either' });
        // Same connection: its prepared statements.
        const rows = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(trx);
        return rows.rows.map((r) => r.name);
      });
    } finally {
      await store.close();
    }
  };

  it('prepares the hot statements once per connection by default', async () => {
    expect((await preparedAfterALookup(true)).some((n) => n.startsWith('roster_'))).toBe(true);
  });

  it('prepares nothing by name when turned off', async () => {
    expect(await preparedAfterALookup(false)).toEqual([]);
  });
});
