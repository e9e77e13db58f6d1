import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildApp } from '../../packages/server/src/http/app.js';
import type { Services } from '../../packages/server/src/services/services.js';
import { openStore } from '../../packages/server/src/store/open-store.js';
import { parseJson, type Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

/** What `app.inject` answers. */
export interface InjectAnswer {
  statusCode: number;
  body: string;
  json(): unknown;
}

/** The app in process on a fresh store of one engine, with one workspace, and its calls. */
export interface ObjectsApp {
  store: Store;
  app: FastifyInstance;
  services: Services;
  /** Track API `authorization` header. */
  track: string;
  /** App API `authorization` header. */
  bearer: string;
  /** A Track API call that must answer 200. */
  trackCall(method: 'PUT' | 'POST', url: string, payload: object): Promise<void>;
  /** One `/api/v2/entity` operation that must answer 200. */
  entity(op: object): Promise<void>;
  appApi(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object): Promise<InjectAnswer>;
  /** Identifies company `id` (object type 1) with attributes and relationships to people. */
  company(id: string, attributes: object, rels?: Array<[string, object]>): Promise<void>;
  /** Closes the app and the store, and removes both. */
  close(): Promise<void>;
}

/** What the object suites share: a store (directory or test database), the app, a workspace `siteId`. */
export async function objectsApp(
  engine: 'sqlite' | 'postgres',
  siteId: string,
  options: { objectChangeInWrite?: number } = {},
): Promise<ObjectsApp> {
  const dir = mkdtempSync(path.join(tmpdir(), `roster-${siteId}-`));
  const database: TestDatabase | undefined =
    engine === 'postgres' ? await createTestDatabase(siteId) : undefined;
  const store = await openStore({ dataDir: dir, databaseUrl: database?.url });
  const { app, services } = await buildApp({ store, ...options });
  const { credentials } = await services.workspaces.create({ siteId });
  const track = `Basic ${Buffer.from(`${credentials.siteId}:${credentials.apiKey}`).toString('base64')}`;
  const bearer = `Bearer ${credentials.appApiKey}`;
  const trackCall = async (method: 'PUT' | 'POST', url: string, payload: object) => {
    const r = await app.inject({ method, url, payload, headers: { authorization: track } });
    expect(r.statusCode, r.body).toBe(200);
  };
  const entity = (op: object) => trackCall('POST', '/api/v2/entity', op);
  return {
    store,
    app,
    services,
    track,
    bearer,
    trackCall,
    entity,
    appApi: (method, url, payload) =>
      app.inject({ method, url, payload, headers: { authorization: bearer } }),
    company: (id, attributes, rels = []) =>
      entity({
        type: 'object',
        action: 'identify',
        identifiers: { object_type_id: '1', object_id: id },
        attributes,
        cio_relationships: rels.map(([pid, ra]) => ({
          identifiers: { id: pid },
          relationship_attributes: ra,
        })),
      }),
    async close() {
      await app.close();
      await store.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An object as stored, by type and id. */
export async function objectBy(store: Store, typeId: string, objectId: string) {
  const row = await store.db
    .selectFrom('objects')
    .selectAll()
    .where('type_id', '=', typeId)
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    oid: Number(row.oid),
    workspaceId: Number(row.workspace_id),
    cioObjectId: row.cio_object_id,
    attributes: parseJson<Record<string, unknown>>(row.attributes),
    attrTs: parseJson<Record<string, number>>(row.attr_ts),
  };
}

/** A person's relationships: object id → relationship attributes. */
export async function relationshipsOf(store: Store, pid: number): Promise<Record<string, unknown>> {
  const rows = await store.db
    .selectFrom('relationships')
    .innerJoin('objects', 'objects.oid', 'relationships.object_oid')
    .select(['objects.type_id', 'objects.object_id', 'relationships.attributes'])
    .where('relationships.person_pid', '=', pid)
    .execute();
  const out: Record<string, unknown> = {};
  for (const r of rows) out[`${r.type_id}:${r.object_id}`] = parseJson(r.attributes);
  return out;
}

export async function objectActivities(store: Store, oid: number) {
  const rows = await store.db
    .selectFrom('object_activities')
    .selectAll()
    .where('object_oid', '=', oid)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ type: r.type, data: parseJson<Record<string, unknown> | null>(r.data) }));
}
