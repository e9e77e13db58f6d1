import type { Selectable } from 'kysely';
import type { WorkspacesTable } from '../schema/index.js';
import { queryRows, statement } from '../sql.js';
import { parseJson, toJson, type Tx } from '../store.js';
import {
  DEFAULT_SETTINGS,
  type IdentifierMode,
  type IdentitySecret,
  type Workspace,
  type WorkspaceSettings,
} from './workspace.js';

/** A workspace row with its key hashes, for authentication. */
export type WorkspaceRow = Selectable<WorkspacesTable>;

export function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    siteId: row.site_id,
    name: row.name,
    identifierMode: row.identifier_mode as IdentifierMode,
    settings: { ...DEFAULT_SETTINGS, ...parseJson<Partial<WorkspaceSettings>>(row.settings) },
    identitySecrets: toSecrets(row.identity_secrets),
    createdAt: row.created_at,
  };
}

interface StoredSecret {
  secret: string;
  created_at: number;
  retires_at: number | null;
}

function toSecrets(value: unknown): IdentitySecret[] {
  if (value === null || value === undefined) return [];
  const list = parseJson<StoredSecret[] | null>(value);
  if (!Array.isArray(list)) return [];
  return list
    .filter((s) => typeof s?.secret === 'string' && s.secret !== '')
    .map((s) => ({ secret: s.secret, createdAt: Number(s.created_at), retiresAt: s.retires_at ?? null }));
}

/** Replaces a workspace's identity secrets (the current one first). */
export async function setIdentitySecrets(
  db: Tx,
  id: number,
  secrets: readonly IdentitySecret[],
  now: number,
): Promise<void> {
  const stored: StoredSecret[] = secrets.map((s) => ({
    secret: s.secret,
    created_at: s.createdAt,
    retires_at: s.retiresAt,
  }));
  await db
    .updateTable('workspaces')
    .set({ identity_secrets: toJson(stored), updated_at: now })
    .where('id', '=', id)
    .execute();
}

// Named columns, not `*`: PostgreSQL keeps these prepared per connection (see store/sql.ts).
const WORKSPACE_COLUMNS =
  'id, site_id, name, track_key_hash, app_key_hash, identifier_mode, settings, identity_secrets, created_at, updated_at';
const BY_SITE = statement(`select ${WORKSPACE_COLUMNS} from workspaces where site_id = ?`);
const BY_APP_KEY = statement(`select ${WORKSPACE_COLUMNS} from workspaces where app_key_hash = ?`);

export interface NewWorkspace {
  siteId: string;
  name: string;
  trackKeyHash: string;
  appKeyHash: string;
  identifierMode: IdentifierMode;
  settings: WorkspaceSettings;
  now: number;
}

export async function insertWorkspace(db: Tx, w: NewWorkspace): Promise<Workspace> {
  const row = await db
    .insertInto('workspaces')
    .values({
      site_id: w.siteId,
      name: w.name,
      track_key_hash: w.trackKeyHash,
      app_key_hash: w.appKeyHash,
      identifier_mode: w.identifierMode,
      settings: toJson(w.settings),
      created_at: w.now,
      updated_at: w.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toWorkspace(row);
}

export async function listWorkspaces(db: Tx): Promise<Workspace[]> {
  const rows = await db.selectFrom('workspaces').selectAll().orderBy('id').execute();
  return rows.map(toWorkspace);
}

export async function workspaceById(db: Tx, id: number): Promise<Workspace | undefined> {
  const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toWorkspace(row);
}

export async function workspaceBySiteId(db: Tx, siteId: string): Promise<Workspace | undefined> {
  const row = await db.selectFrom('workspaces').selectAll().where('site_id', '=', siteId).executeTakeFirst();
  return row && toWorkspace(row);
}

/** The row (with its tracking key hash) of a site id: read on every Track API request. */
export async function workspaceRowBySiteId(db: Tx, siteId: string): Promise<WorkspaceRow | undefined> {
  const [row] = await queryRows<WorkspaceRow>(db, BY_SITE, [siteId]);
  return row;
}

/** The row whose App API key hashes to `digest`: read on every App API request. */
export async function workspaceRowByAppKey(db: Tx, digest: string): Promise<WorkspaceRow | undefined> {
  const [row] = await queryRows<WorkspaceRow>(db, BY_APP_KEY, [digest]);
  return row;
}

export async function setWorkspaceKeys(
  db: Tx,
  id: number,
  patch: { trackKeyHash?: string; appKeyHash?: string },
  now: number,
): Promise<void> {
  await db
    .updateTable('workspaces')
    .set({
      ...(patch.trackKeyHash ? { track_key_hash: patch.trackKeyHash } : {}),
      ...(patch.appKeyHash ? { app_key_hash: patch.appKeyHash } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

export async function updateWorkspace(
  db: Tx,
  id: number,
  w: { name: string; identifierMode: IdentifierMode; settings: WorkspaceSettings },
  now: number,
): Promise<void> {
  await db
    .updateTable('workspaces')
    .set({
      name: w.name,
      identifier_mode: w.identifierMode,
      settings: toJson(w.settings),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}
