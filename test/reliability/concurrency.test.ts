import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';

/**
 * Races through every route that can create a person or move a device, mixed (v1 identify, v1
 * event, v1 add device, v2 identify/event/add_device, forms), checked through the App API as a
 * user would: on SQLite (one process) and on PostgreSQL with two server processes on one database.
 * (test/track/concurrency.e2e.test.ts checks the v1 routes' rows and activities directly in the
 * store; test/e2e/two-processes.test.ts the customerio-node path.)
 */
const ROUNDS = 4;
const RACERS = 12;

describe.each(engines())('concurrent writers on %s', (engine) => {
  let servers: ServerProcess[];
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    if (engine === 'postgres') {
      db = await createTestDatabase('reliability_conc');
      const credentials = randomCredentials();
      servers = await Promise.all(
        [0, 1].map(() => startServer({ engine, databaseUrl: db!.url, credentials, ownStore: false })),
      );
    } else servers = [await startServer({ engine })];
  });
  afterAll(async () => {
    for (const s of servers ?? []) await s.cleanup();
    await db?.drop();
  });

  const send = async (i: number, method: string, path: string, body: unknown) => {
    const s = servers[i % servers.length]!;
    const { siteId, apiKey } = s.credentials;
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };
  const app = async (method: string, path: string, body?: unknown) => {
    const s = servers[0]!;
    const res = await fetch(`${s.appUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${s.credentials.appApiKey}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const peopleWhere = async (field: string, value: string) => {
    const r = await app('POST', '/customers?limit=100', {
      filter: { attribute: { field, operator: 'eq', value } },
    });
    expect(r.status).toBe(200);
    return (r.json.identifiers as Array<{ id: string; email: string; cio_id: string }>) ?? [];
  };

  it('many concurrent writes that each create the same new person create exactly one', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = `race-${engine}-${round}`;
      const kinds = [
        (i: number) => send(i, 'PUT', `/api/v1/customers/${id}`, { [`k${i}`]: i }),
        (i: number) => send(i, 'POST', `/api/v1/customers/${id}/events`, { name: 'race', id: ulid() }),
        (i: number) =>
          send(i, 'PUT', `/api/v1/customers/${id}/devices`, {
            device: { id: `${id}-tok-${i}`, platform: 'ios' },
          }),
        (i: number) =>
          send(i, 'POST', '/api/v2/entity', {
            type: 'person',
            action: 'identify',
            identifiers: { id },
            attributes: { [`k${i}`]: i },
          }),
        (i: number) =>
          send(i, 'POST', '/api/v2/batch', {
            batch: [{ type: 'person', action: 'event', identifiers: { id }, name: 'race', id: ulid() }],
          }),
      ];
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => kinds[(i + round) % kinds.length]!(i)),
      );
      for (const r of results) expect(r.status, r.text).toBe(200);
      const people = await peopleWhere('id', id);
      expect(people, id).toHaveLength(1);
      // Every racer's write landed on that one person.
      const { json } = await app('GET', `/customers/${id}/attributes`);
      const customer = json.customer as {
        attributes: Record<string, string>;
        devices: Array<{ id: string }>;
      };
      const expectedKeys = results
        .map((_, i) => i)
        .filter((i) => [0, 3].includes((i + round) % kinds.length));
      for (const i of expectedKeys) expect(customer.attributes[`k${i}`]).toBe(String(i));
      const expectedDevices = results.map((_, i) => i).filter((i) => (i + round) % kinds.length === 2);
      expect(customer.devices.map((d) => d.id).sort()).toEqual(
        expectedDevices.map((i) => `${id}-tok-${i}`).sort(),
      );
    }
  });

  it('concurrent writes addressing one new email through v1, v2 and events create exactly one person', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const email = `race-${engine}-${round}@example.com`;
      const results = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          i % 3 === 0
            ? send(i, 'PUT', `/api/v1/customers/${email}`, { [`k${i}`]: i })
            : i % 3 === 1
              ? send(i, 'POST', '/api/v2/entity', {
                  type: 'person',
                  action: 'identify',
                  identifiers: { email },
                  attributes: { [`k${i}`]: i },
                })
              : send(i, 'POST', `/api/v1/customers/${email}/events`, { name: 'race', id: ulid() }),
        ),
      );
      for (const r of results) expect(r.status, r.text).toBe(200);
      const { json } = await app('GET', `/customers?email=${encodeURIComponent(email)}`);
      expect(json.results, email).toHaveLength(1);
    }
  });

  it('concurrent moves of one device token leave it on exactly one person', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const token = `race-token-${engine}-${round}`;
      const owners = Array.from({ length: RACERS }, (_, i) => `owner-${engine}-${round}-${i}`);
      // Every owner exists first, so the race is only about the token.
      await Promise.all(owners.map((o, i) => send(i, 'PUT', `/api/v1/customers/${o}`, {})));
      const results = await Promise.all(
        owners.map((o, i) =>
          i % 2 === 0
            ? send(i, 'PUT', `/api/v1/customers/${o}/devices`, { device: { id: token, platform: 'ios' } })
            : send(i, 'POST', '/api/v2/batch', {
                batch: [
                  {
                    type: 'person',
                    action: 'add_device',
                    identifiers: { id: o },
                    device: { token, platform: 'android' },
                  },
                ],
              }),
        ),
      );
      for (const r of results) expect(r.status, r.text).toBe(200);
      const holders: string[] = [];
      for (const o of owners) {
        const { json } = await app('GET', `/customers/${o}/attributes`);
        const devices = (json.customer as { devices: Array<{ id: string }> }).devices;
        if (devices.some((d) => d.id === token)) holders.push(o);
        expect(devices.filter((d) => d.id === token).length).toBeLessThanOrEqual(1);
      }
      expect(holders, token).toHaveLength(1);
      // The holder's history records the device change.
      const { json } = await app('GET', `/customers/${holders[0]}/activities?type=device_change&limit=100`);
      expect((json.activities as unknown[]).length).toBeGreaterThan(0);
    }
  });
});
