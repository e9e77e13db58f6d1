import type { Selectable } from 'kysely';
import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import { generateAppKey, generateSiteId, generateTrackKey, hashKey, sameHash } from '../lib/keys.js';
import type { WorkspacesTable } from '../store/schema/index.js';
import { queryRows, statement } from '../store/sql.js';
import { parseJson, toJson, type Store, type Tx } from '../store/store.js';
import { InvalidInputError } from './errors.js';
import {
  DEFAULT_SETTINGS,
  IDENTIFIER_MODES,
  type IdentifierMode,
  type Workspace,
  type WorkspaceCredentials,
  type WorkspaceSettings,
} from './workspace-types.js';

function toWorkspace(row: Selectable<WorkspacesTable>): Workspace {
  return {
    id: row.id,
    siteId: row.site_id,
    name: row.name,
    identifierMode: row.identifier_mode as IdentifierMode,
    settings: { ...DEFAULT_SETTINGS, ...parseJson<Partial<WorkspaceSettings>>(row.settings) },
    createdAt: row.created_at,
  };
}

export interface CreateWorkspaceInput {
  name?: string;
  siteId?: string;
  apiKey?: string;
  appApiKey?: string;
  identifierMode?: IdentifierMode;
  settings?: Partial<WorkspaceSettings>;
}

const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkCredentials(c: WorkspaceCredentials): void {
  if (!SITE_ID.test(c.siteId))
    throw new InvalidInputError('site_id', 'site id must be 1-64 letters, digits, _ or -');
  if (c.apiKey.length < 8)
    throw new InvalidInputError('api_key', 'tracking API key must be at least 8 characters');
  if (c.appApiKey.length < 16)
    throw new InvalidInputError('app_api_key', 'App API key must be at least 16 characters');
  // Keys are kept apart so that one can never open the other API.
  if (c.apiKey === c.appApiKey)
    throw new InvalidInputError('app_api_key', 'App API key must differ from the tracking key');
}

type WorkspaceRow = Selectable<WorkspacesTable>;
// Named columns, not `*`: PostgreSQL keeps these prepared per connection (see store/sql.ts).
const WORKSPACE_COLUMNS =
  'id, site_id, name, track_key_hash, app_key_hash, identifier_mode, settings, created_at, updated_at';
const BY_SITE = statement(`select ${WORKSPACE_COLUMNS} from workspaces where site_id = ?`);
const BY_APP_KEY = statement(`select ${WORKSPACE_COLUMNS} from workspaces where app_key_hash = ?`);

/** Workspaces and their keys. Keys are only ever stored hashed; plain keys are returned once. */
export class WorkspaceService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async create(
    input: CreateWorkspaceInput = {},
  ): Promise<{ workspace: Workspace; credentials: WorkspaceCredentials }> {
    const credentials = {
      siteId: input.siteId ?? generateSiteId(),
      apiKey: input.apiKey ?? generateTrackKey(),
      appApiKey: input.appApiKey ?? generateAppKey(),
    };
    checkCredentials(credentials);
    const mode = input.identifierMode ?? 'email_or_id';
    if (!IDENTIFIER_MODES.includes(mode))
      throw new InvalidInputError('identifier_mode', `unknown identifier mode ${mode}`);
    const now = unixSeconds(this.clock);
    const row = await this.store.db
      .insertInto('workspaces')
      .values({
        site_id: credentials.siteId,
        name: input.name ?? 'Default workspace',
        track_key_hash: hashKey('track', credentials.apiKey),
        app_key_hash: hashKey('app', credentials.appApiKey),
        identifier_mode: mode,
        settings: toJson({ ...DEFAULT_SETTINGS, ...input.settings }),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { workspace: toWorkspace(row), credentials };
  }

  async list(): Promise<Workspace[]> {
    const rows = await this.store.db.selectFrom('workspaces').selectAll().orderBy('id').execute();
    return rows.map(toWorkspace);
  }

  /** `db`: the caller's transaction, when it has one (on SQLite a read outside it would wait for it). */
  async get(id: number, db: Tx = this.store.db): Promise<Workspace | undefined> {
    const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toWorkspace(row);
  }

  async bySiteId(siteId: string): Promise<Workspace | undefined> {
    const row = await this.store.db
      .selectFrom('workspaces')
      .selectAll()
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return row && toWorkspace(row);
  }

  /** Track API: HTTP Basic `site_id:api_key`. Read on every request, so a rotation applies at once. */
  async authenticateTrack(siteId: string, apiKey: string): Promise<Workspace | undefined> {
    const [row] = await queryRows<WorkspaceRow>(this.store.db, BY_SITE, [siteId]);
    // Hash and compare even when the site is unknown, so timing does not reveal which sites exist.
    const expected = row?.track_key_hash ?? hashKey('track', 'no such workspace');
    const ok = sameHash(hashKey('track', apiKey), expected);
    return ok && row ? toWorkspace(row) : undefined;
  }

  /** App API: `Authorization: Bearer <app key>`; the key alone names the workspace. */
  async authenticateApp(appKey: string): Promise<Workspace | undefined> {
    const digest = hashKey('app', appKey);
    const [row] = await queryRows<WorkspaceRow>(this.store.db, BY_APP_KEY, [digest]);
    return row && sameHash(digest, row.app_key_hash) ? toWorkspace(row) : undefined;
  }

  /** Replaces one or both keys; the old ones stop working at once. Returns the new plain keys. */
  async rotateKeys(
    siteId: string,
    which: { track?: boolean; app?: boolean } = { track: true, app: true },
    given: { apiKey?: string; appApiKey?: string } = {},
  ): Promise<Partial<WorkspaceCredentials>> {
    const ws = await this.bySiteId(siteId);
    if (!ws) throw new InvalidInputError('site_id', `no workspace with site id ${siteId}`);
    const out: Partial<WorkspaceCredentials> = { siteId };
    const patch: { track_key_hash?: string; app_key_hash?: string; updated_at: number } = {
      updated_at: unixSeconds(this.clock),
    };
    if (which.track) {
      out.apiKey = given.apiKey ?? generateTrackKey();
      patch.track_key_hash = hashKey('track', out.apiKey);
    }
    if (which.app) {
      out.appApiKey = given.appApiKey ?? generateAppKey();
      patch.app_key_hash = hashKey('app', out.appApiKey);
    }
    if (out.apiKey && out.appApiKey && out.apiKey === out.appApiKey)
      throw new InvalidInputError('app_api_key', 'App API key must differ from the tracking key');
    await this.store.db.updateTable('workspaces').set(patch).where('id', '=', ws.id).execute();
    return out;
  }

  async updateSettings(
    id: number,
    patch: { identifierMode?: IdentifierMode; settings?: Partial<WorkspaceSettings>; name?: string },
  ): Promise<Workspace> {
    const ws = await this.get(id);
    if (!ws) throw new InvalidInputError('workspace', 'no such workspace');
    if (patch.identifierMode && !IDENTIFIER_MODES.includes(patch.identifierMode))
      throw new InvalidInputError('identifier_mode', `unknown identifier mode ${patch.identifierMode}`);
    await this.store.db
      .updateTable('workspaces')
      .set({
        name: patch.name ?? ws.name,
        identifier_mode: patch.identifierMode ?? ws.identifierMode,
        settings: toJson({ ...ws.settings, ...patch.settings }),
        updated_at: unixSeconds(this.clock),
      })
      .where('id', '=', id)
      .execute();
    return (await this.get(id))!;
  }

  /**
   * Start-up: when credentials are given (ROSTER_SITE_ID, ROSTER_API_KEY, ROSTER_APP_API_KEY) that
   * workspace exists with exactly those keys; otherwise an empty store gets one generated workspace.
   * Returns the credentials only when they were generated now, so they can be printed once.
   */
  async ensureDefault(
    given?: WorkspaceCredentials,
  ): Promise<{ workspace: Workspace; generated?: WorkspaceCredentials }> {
    // Several servers may start together on an empty store: one at a time decides (a PostgreSQL
    // advisory lock; SQLite's BEGIN IMMEDIATE), so there is one default workspace, created once.
    return this.store.transaction(async (trx) => {
      await this.store.lockKeys(trx, ['roster:default-workspace']);
      const scoped = new WorkspaceService({ ...this.store, db: trx }, this.clock);
      if (given) {
        checkCredentials(given);
        const existing = await scoped.bySiteId(given.siteId);
        if (!existing) return { workspace: (await scoped.create({ ...given })).workspace };
        await scoped.rotateKeys(given.siteId, { track: true, app: true }, given);
        return { workspace: existing };
      }
      const first = (await scoped.list())[0];
      if (first) return { workspace: first };
      const { workspace, credentials } = await scoped.create({});
      return { workspace, generated: credentials };
    });
  }
}
