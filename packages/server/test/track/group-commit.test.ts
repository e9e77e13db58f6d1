import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services/services.js';
import { MAX_ATTRIBUTES } from '../../src/services/track/limits.js';
import { openStore } from '../../src/store/open-store.js';
import { parseJson, type Store } from '../../src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../../../../test/helpers/postgres.js';

/**
 * Concurrent Track writes are committed together (SQLite's store, PostgreSQL's TrackService group
 * commit): one write's refusal stays its own, and every write answered 200 is in the database.
 * Requests sent at once in-process queue behind the first ones, so groups form on every run.
 */
describe.each(engines())('group commit of concurrent writes (%s)', (engine) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let auth: string;
  let workspaceId: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-group-'));
    if (engine === 'postgres') database = await createTestDatabase('group_commit');
    store = await openStore({ dataDir: dir, databaseUrl: database?.url });
    ({ app, services } = await buildApp({ store }));
    const { workspace, credentials } = await services.workspaces.create({ siteId: 'groupcommit' });
    workspaceId = workspace.id;
    auth = `Basic ${Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64')}`;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const identify = (id: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'PUT', url: `/api/v1/customers/${id}`, headers: { authorization: auth }, payload });

  const attributesOf = async (id: string) => {
    const row = await store.db
      .selectFrom('people')
      .select('attributes')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? parseJson<Record<string, unknown>>(row.attributes) : undefined;
  };

  it('a write refused among concurrent ones changes nothing; every other one commits', async () => {
    const full = Object.fromEntries(Array.from({ length: MAX_ATTRIBUTES }, (_, i) => [`a${i}`, i]));
    expect((await identify('full', full)).statusCode).toBe(200);

    const writes = Array.from({ length: 60 }, (_, i) =>
      i === 30
        ? identify('full', { one_too_many: true })
        : identify(`p${i % 40}`, { [`n${i}`]: i, plan: 'pro' }),
    );
    const answers = await Promise.all(writes);
    expect(answers[30]!.statusCode, answers[30]!.body).toBe(400);
    for (const [i, res] of answers.entries()) if (i !== 30) expect(res.statusCode, res.body).toBe(200);

    expect(Object.keys((await attributesOf('full'))!)).toHaveLength(MAX_ATTRIBUTES);
    expect(await attributesOf('full')).not.toHaveProperty('one_too_many');
    for (let i = 0; i < 60; i++) {
      if (i === 30) continue;
      expect(await attributesOf(`p${i % 40}`)).toMatchObject({ [`n${i}`]: i, plan: 'pro' });
    }
    const people = await store.db
      .selectFrom('people')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirstOrThrow();
    // `full`, and p0…p39 but p30 (only the refused write named it).
    expect(Number(people.n)).toBe(40);
  });

  it('concurrent identifies of the same new people make one person per identifier', async () => {
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) => identify(`same-${i % 8}`, { [`k${i}`]: i })),
    );
    for (const res of answers) expect(res.statusCode, res.body).toBe(200);
    for (let p = 0; p < 8; p++) {
      const rows = await store.db
        .selectFrom('people')
        .select('attributes')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', `same-${p}`)
        .execute();
      expect(rows).toHaveLength(1);
      expect(Object.keys(parseJson<Record<string, unknown>>(rows[0]!.attributes))).toHaveLength(10);
    }
  });
});
