import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkspaceService } from '../../src/services/workspaces.js';
import { openStore } from '../../src/store/open-store.js';
import { toJson, type Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/postgres.js';

/** A clock tests move by hand. */
export class StepClock {
  constructor(public ms = Date.now()) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Fixture {
  store: Store;
  /** Opens another `Store` on the same database (a second server process). */
  openAnother(): Promise<Store>;
  workspaceId: number;
  close(): Promise<void>;
}

export async function openFixture(engine: 'sqlite' | 'postgres'): Promise<Fixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-msg-'));
  let database: TestDatabase | undefined;
  if (engine === 'postgres') database = await createTestDatabase('messaging');
  const open = () => openStore({ dataDir: dir, databaseUrl: database?.url });
  const store = await open();
  const ws = new WorkspaceService(store, { now: () => Date.now() });
  const workspaceId = (await ws.create({ name: 'push' })).workspace.id;
  const others: Store[] = [];
  return {
    store,
    workspaceId,
    async openAnother() {
      const s = await open();
      others.push(s);
      return s;
    },
    async close() {
      for (const s of others) await s.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      await database?.drop();
    },
  };
}

export async function addPerson(
  store: Store,
  workspaceId: number,
  id: string,
  attributes: Record<string, unknown> = {},
): Promise<number> {
  const row = await store.db
    .insertInto('people')
    .values({
      workspace_id: workspaceId,
      cio_id: `cio-${id}`,
      id,
      email: `${id}@example.com`,
      email_norm: `${id}@example.com`,
      attributes: toJson(attributes),
      attr_ts: toJson({}),
      unsubscribed: 0,
      created_at: 1,
      updated_at: 1,
    })
    .returning('pid')
    .executeTakeFirstOrThrow();
  return row.pid;
}

export async function addDevice(
  store: Store,
  workspaceId: number,
  pid: number,
  token: string,
  platform: string,
  lastUsed = 100,
): Promise<void> {
  await store.db
    .insertInto('devices')
    .values({
      workspace_id: workspaceId,
      token,
      person_pid: pid,
      platform,
      last_used: lastUsed,
      attributes: toJson({ app_version: '1.0' }),
      created_at: 1,
      updated_at: 1,
    })
    .execute();
}
