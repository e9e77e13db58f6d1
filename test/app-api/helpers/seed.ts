import { randomBytes } from 'node:crypto';
import { openStore } from '../../../packages/server/src/store/open-store.js';
import {
  recordActivities,
  type ActivityInput,
} from '../../../packages/server/src/store/activities/activities.js';
import { toJson, type Store } from '../../../packages/server/src/store/store.js';
import type { ServerProcess } from '../../helpers/server-process.js';

/**
 * Writes rows straight into a running server's store, for read-side tests that need data the
 * Track API does not write (bulk people, deleted history) or faster than HTTP can.
 */
export interface Seeder {
  store: Store;
  workspaceId: number;
  person(p: SeedPerson): Promise<{ pid: number; cio_id: string }>;
  people(list: readonly SeedPerson[]): Promise<void>;
  segment(name: string, type?: 'manual' | 'dynamic'): Promise<number>;
  member(segmentId: number, pid: number): Promise<void>;
  members(segmentId: number, pids: readonly number[]): Promise<void>;
  activities(inputs: Array<Omit<ActivityInput, 'workspaceId'>>): Promise<void>;
  close(): Promise<void>;
}

export interface SeedPerson {
  id?: string | null;
  email?: string | null;
  attributes?: Record<string, unknown>;
  unsubscribed?: boolean;
  ts?: number;
  devices?: Array<{
    token: string;
    platform: string;
    last_used: number;
    attributes?: Record<string, unknown>;
    last_status?: string;
  }>;
}

function row(workspaceId: number, p: SeedPerson) {
  const ts = p.ts ?? 1_700_000_000;
  const cio_id = randomBytes(8).toString('hex');
  const attrTs: Record<string, number> = { cio_id: ts };
  for (const k of Object.keys(p.attributes ?? {})) attrTs[k] = ts;
  if (p.id) attrTs.id = ts;
  if (p.email) attrTs.email = ts;
  return {
    workspace_id: workspaceId,
    cio_id,
    id: p.id ?? null,
    email: p.email ?? null,
    email_norm: p.email ? p.email.toLowerCase() : null,
    attributes: toJson(p.attributes ?? {}),
    attr_ts: toJson(attrTs),
    unsubscribed: p.unsubscribed ? 1 : 0,
    created_at: ts,
    updated_at: ts,
  };
}

export async function seeder(server: ServerProcess): Promise<Seeder> {
  const store = await openStore({ databaseUrl: server.databaseUrl, dataDir: server.dataDir });
  const ws = await store.db
    .selectFrom('workspaces')
    .select('id')
    .where('site_id', '=', server.credentials.siteId)
    .executeTakeFirstOrThrow();
  const workspaceId = Number(ws.id);
  const s: Seeder = {
    store,
    workspaceId,
    async person(p) {
      const r = row(workspaceId, p);
      const inserted = await store.db
        .insertInto('people')
        .values(r)
        .returning('pid')
        .executeTakeFirstOrThrow();
      const pid = Number(inserted.pid);
      for (const d of p.devices ?? [])
        await store.db
          .insertInto('devices')
          .values({
            workspace_id: workspaceId,
            token: d.token,
            person_pid: pid,
            platform: d.platform,
            last_used: d.last_used,
            attributes: toJson(d.attributes ?? {}),
            last_status: d.last_status ?? '',
            bounce_count: 0,
            created_at: r.created_at,
            updated_at: r.created_at,
          })
          .execute();
      return { pid, cio_id: r.cio_id };
    },
    async people(list) {
      for (let i = 0; i < list.length; i += 500)
        await store.db
          .insertInto('people')
          .values(list.slice(i, i + 500).map((p) => row(workspaceId, p)))
          .execute();
    },
    async segment(name, type = 'manual') {
      const r = await store.db
        .insertInto('segments')
        .values({
          workspace_id: workspaceId,
          name,
          description: `${name} description`,
          type,
          conditions: null,
          tags: null,
          created_at: 1_700_000_000,
          updated_at: 1_700_000_000,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(r.id);
    },
    async member(segmentId, pid) {
      await s.members(segmentId, [pid]);
    },
    async members(segmentId, pids) {
      for (let i = 0; i < pids.length; i += 500)
        await store.db
          .insertInto('segment_memberships')
          .values(
            pids.slice(i, i + 500).map((pid) => ({
              workspace_id: workspaceId,
              segment_id: segmentId,
              person_pid: pid,
              entered_at: 1_700_000_000,
            })),
          )
          .execute();
    },
    async activities(inputs) {
      await store.transaction((trx) =>
        recordActivities(
          trx,
          inputs.map((a) => ({ ...a, workspaceId })),
        ),
      );
    },
    close: () => store.close(),
  };
  return s;
}
