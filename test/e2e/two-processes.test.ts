import { APIClient, TrackClient } from 'customerio-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';

// customerio-node's IdentifierType enum is not exported from its entry point.
type IdType = Parameters<APIClient['getAttributes']>[1];
const byId = 'id' as IdType;
const byEmail = 'email' as IdType;

// Stateless servers: two `roster serve` processes on one PostgreSQL act as one.
describe.runIf(postgresAvailable())('two server processes on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase('two');
    const credentials = randomCredentials();
    // Started together: their migrations race, and exactly one applies them.
    [a, b] = await Promise.all([
      startServer({ engine: 'postgres', databaseUrl: db.url, credentials }),
      startServer({ engine: 'postgres', databaseUrl: db.url, credentials }),
    ]);
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await db?.drop();
  });

  it('a write through one process is read back through the other', async () => {
    const { siteId, apiKey, appApiKey } = a.credentials;
    const trackA = new TrackClient(siteId, apiKey, { url: a.trackUrl });
    const trackB = new TrackClient(siteId, apiKey, { url: b.trackUrl });
    const appA = new APIClient(appApiKey, { url: a.appUrl });
    const appB = new APIClient(appApiKey, { url: b.appUrl });

    await trackA.identify('dana', { email: 'dana@example.com', first_name: 'Dana' });
    const readB = await appB.getAttributes('dana', byId);
    expect(readB.customer.attributes.first_name).toBe('Dana');

    // Interleaved writes through both processes merge into one person.
    await trackB.identify('dana', { plan: 'pro' });
    await trackA.addDevice('dana', 'token-1', 'ios');
    await trackB.addDevice('dana', 'token-2', 'android');
    const readA = await appA.getAttributes('dana@example.com', byEmail);
    expect(readA.customer.attributes).toMatchObject({
      first_name: 'Dana',
      plan: 'pro',
      email: 'dana@example.com',
    });
    expect(readA.customer.devices.map((d: { id: string }) => d.id).sort()).toEqual(['token-1', 'token-2']);
  });

  it('concurrent identifies of one new person through both processes create exactly one person', async () => {
    const { siteId, apiKey, appApiKey } = a.credentials;
    const clients = [a, b].map((s) => new TrackClient(siteId, apiKey, { url: s.trackUrl }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => clients[i % 2]!.identify('newcomer@example.com', { n: i })),
    );
    const api = new APIClient(appApiKey, { url: b.appUrl });
    const found = await api.getCustomersByEmail('newcomer@example.com');
    expect(found.results).toHaveLength(1);
  });
});
