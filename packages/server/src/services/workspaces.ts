import type { Clock } from '../lib/clock.js';
import { unixSeconds } from '../lib/clock.js';
import {
  generateAppKey,
  generateIdentitySecret,
  generateServerWriteKey,
  generateSiteId,
  generateTrackKey,
  generateWriteKey,
  hashKey,
  hashKeyBytes,
  sameDigest,
  sameHash,
} from '../lib/keys.js';
import {
  replaceWriteKey,
  workspaceByWriteKey,
  writeKeyKinds,
  type WriteKeyKind,
} from '../store/pipelines/write-keys.js';
import {
  insertWorkspace,
  listWorkspaces,
  setIdentitySecrets,
  setWorkspaceKeys,
  toWorkspace,
  updateWorkspace,
  workspaceById,
  workspaceBySiteId,
  workspaceRowByAppKey,
  workspaceRowBySiteId,
  type WorkspaceRow,
} from '../store/workspaces/queries.js';
import type { Store, Tx } from '../store/store.js';
import { InvalidInputError } from '../lib/errors.js';
import type { WorkspaceCache } from './workspace-cache.js';
import {
  DEFAULT_SETTINGS,
  IDENTIFIER_MODES,
  type IdentifierMode,
  type IdentitySecret,
  type Workspace,
  type WorkspaceCredentials,
  type WorkspaceSettings,
} from '../store/workspaces/workspace.js';

export interface CreateWorkspaceInput {
  name?: string;
  siteId?: string;
  apiKey?: string;
  appApiKey?: string;
  /** The public write key (Pipelines API); generated when absent. */
  writeKey?: string;
  identifierMode?: IdentifierMode;
  settings?: Partial<WorkspaceSettings>;
}

const SITE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Which write key the CLI and the App API rotate: `write` (public `wk_…`) and/or `serverWrite`. */
export interface WriteKeyChoice {
  write?: boolean;
  serverWrite?: boolean;
}

/** The given write keys at start-up (ROSTER_WRITE_KEY, ROSTER_SERVER_WRITE_KEY). */
export interface GivenWriteKeys {
  writeKey?: string | undefined;
  serverWriteKey?: string | undefined;
}

function checkWriteKey(key: string, field: string): void {
  // Printable ASCII without ':' (HTTP Basic puts the key before a colon) nor '/' (the settings path).
  if (!/^[\x21-\x7e]{16,200}$/.test(key) || key.includes(':') || key.includes('/'))
    throw new InvalidInputError(field, 'a write key must be 16-200 printable characters without : or /');
}

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

/** Workspaces and their keys. Keys are only ever stored hashed; plain keys are returned once. */
export class WorkspaceService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Workspaces and key hashes kept in memory (services/workspace-cache.ts), on both engines. */
    private readonly cache?: WorkspaceCache,
  ) {}

  /** Workspaces made from rows the cache holds: one per row, not one per request (settings parsed once). */
  private readonly shaped = new WeakMap<WorkspaceRow, Workspace>();

  private shape(row: WorkspaceRow): Workspace {
    let ws = this.shaped.get(row);
    if (!ws) this.shaped.set(row, (ws = toWorkspace(row)));
    return ws;
  }

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
    const writeKey = input.writeKey ?? generateWriteKey();
    checkWriteKey(writeKey, 'write_key');
    const now = unixSeconds(this.clock);
    const workspace = await insertWorkspace(this.store.db, {
      siteId: credentials.siteId,
      name: input.name ?? 'Default workspace',
      trackKeyHash: hashKey('track', credentials.apiKey),
      appKeyHash: hashKey('app', credentials.appApiKey),
      identifierMode: mode,
      settings: { ...DEFAULT_SETTINGS, ...input.settings },
      now,
    });
    await replaceWriteKey(this.store.db, workspace.id, 'public', hashKey('write', writeKey), now);
    return { workspace, credentials: { ...credentials, writeKey } };
  }

  async list(): Promise<Workspace[]> {
    return listWorkspaces(this.store.db);
  }

  /** `db`: the caller's transaction, when it has one (on SQLite a read outside it would wait for it). */
  async get(id: number, db: Tx = this.store.db): Promise<Workspace | undefined> {
    return workspaceById(db, id);
  }

  async bySiteId(siteId: string): Promise<Workspace | undefined> {
    return workspaceBySiteId(this.store.db, siteId);
  }

  /**
   * Track API: HTTP Basic `site_id:api_key`. Kept in memory (`WorkspaceCache`) until PostgreSQL
   * notifies a change, so a rotation applies at once here and within a notification's delay on
   * every other server; on SQLite until this process writes the workspace or another process
   * writes the file (store/sqlite/workspace-feed.ts), so a rotation applies at once.
   */
  async authenticateTrack(siteId: string, apiKey: string): Promise<Workspace | undefined> {
    const read = () => workspaceRowBySiteId(this.store.db, siteId);
    const row = this.cache ? await this.cache.site(siteId, read) : await read();
    // Hash and compare even when the site is unknown, so timing does not reveal which sites exist.
    const expected = row?.track_key_hash ?? hashKey('track', 'no such workspace');
    const ok = sameHash(hashKey('track', apiKey), expected);
    return ok && row ? this.shape(row) : undefined;
  }

  /**
   * `authenticateTrack` without I/O when the site's row is in memory and current (the Track fast
   * lane's common case: no promise per request): the workspace, or undefined for a key that does
   * not match (hashed and compared in constant time, as there); null when the row must be read
   * first (call `authenticateTrack`).
   */
  authenticateTrackNow(siteId: string, apiKey: string): Workspace | undefined | null {
    const row = this.cache?.siteNow(siteId);
    if (!row) return null;
    let expected = this.trackDigests.get(row);
    if (!expected) this.trackDigests.set(row, (expected = Buffer.from(row.track_key_hash, 'hex')));
    return sameDigest(hashKeyBytes('track', apiKey), expected) ? this.shape(row) : undefined;
  }

  /** The Track key digests of the rows the cache holds, as bytes: parsed once per row. */
  private readonly trackDigests = new WeakMap<WorkspaceRow, Buffer>();

  /** App API: `Authorization: Bearer <app key>`; the key alone names the workspace. */
  async authenticateApp(appKey: string): Promise<Workspace | undefined> {
    const digest = hashKey('app', appKey);
    const read = () => workspaceRowByAppKey(this.store.db, digest);
    const row = this.cache ? await this.cache.appKey(digest, read) : await read();
    return row && sameHash(digest, row.app_key_hash) ? this.shape(row) : undefined;
  }

  /**
   * Pipelines API: a write key (HTTP Basic user, or `writeKey` in the body) names its workspace.
   * Also says whether it is the public or the server key (signed identify applies to public keys).
   * Kept in memory on PostgreSQL like the Track key (`WorkspaceCache`): a rotated or removed write key
   * notifies every server at commit (migration 092).
   */
  async authenticateWrite(key: string): Promise<{ workspace: Workspace; kind: WriteKeyKind } | undefined> {
    if (key === '' || key.length > 200) return undefined;
    const digest = hashKey('write', key);
    const read = () => workspaceByWriteKey(this.store.db, digest);
    const row = this.cache ? await this.cache.writeKey(digest, read) : await read();
    if (!row || !sameHash(digest, row.write_key_hash)) return undefined;
    // A rotated-out key opens the API until the end of its overlap (docs/pipelines.md "Write keys").
    const retires = row.write_key_retires_at;
    if (retires !== null && Number(retires) <= unixSeconds(this.clock)) return undefined;
    return { workspace: this.shape(row), kind: row.write_key_kind };
  }

  /**
   * Replaces the workspace's public and/or server write key. The old one stops working at once,
   * or after `overlapSeconds` (keys rotated out earlier stop at once). Returns the new plain keys,
   * shown once, and when the old ones retire.
   */
  async rotateWriteKeys(
    siteId: string,
    which: WriteKeyChoice,
    given: GivenWriteKeys = {},
    db: Tx = this.store.db,
    overlapSeconds = 0,
  ): Promise<{ siteId: string; writeKey?: string; serverWriteKey?: string; previousRetiresAt?: number }> {
    const ws = await workspaceBySiteId(db, siteId);
    if (!ws) throw new InvalidInputError('site_id', `no workspace with site id ${siteId}`);
    const now = unixSeconds(this.clock);
    const out: { siteId: string; writeKey?: string; serverWriteKey?: string; previousRetiresAt?: number } = {
      siteId,
    };
    if (which.write) out.writeKey = given.writeKey ?? generateWriteKey();
    if (which.serverWrite) out.serverWriteKey = given.serverWriteKey ?? generateServerWriteKey();
    if (out.writeKey) checkWriteKey(out.writeKey, 'write_key');
    if (out.serverWriteKey) checkWriteKey(out.serverWriteKey, 'server_write_key');
    if (out.writeKey && out.writeKey === out.serverWriteKey)
      throw new InvalidInputError('server_write_key', 'the server write key must differ from the write key');
    const retiresAt = overlapSeconds > 0 ? now + overlapSeconds : undefined;
    if (out.writeKey)
      await replaceWriteKey(db, ws.id, 'public', hashKey('write', out.writeKey), now, retiresAt);
    if (out.serverWriteKey)
      await replaceWriteKey(db, ws.id, 'server', hashKey('write', out.serverWriteKey), now, retiresAt);
    out.previousRetiresAt = retiresAt ?? now;
    // This server at once; every server (this one too) again at commit, by migration 092's NOTIFY.
    this.cache?.forget(ws.id);
    return out;
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
    const patch: { trackKeyHash?: string; appKeyHash?: string } = {};
    if (which.track) {
      out.apiKey = given.apiKey ?? generateTrackKey();
      patch.trackKeyHash = hashKey('track', out.apiKey);
    }
    if (which.app) {
      out.appApiKey = given.appApiKey ?? generateAppKey();
      patch.appKeyHash = hashKey('app', out.appApiKey);
    }
    if (out.apiKey && out.appApiKey && out.apiKey === out.appApiKey)
      throw new InvalidInputError('app_api_key', 'App API key must differ from the tracking key');
    await setWorkspaceKeys(this.store.db, ws.id, patch, unixSeconds(this.clock));
    this.cache?.forget(ws.id);
    return out;
  }

  /**
   * Makes a new identity secret the current one. The previous current secret stays accepted for
   * `overlapSeconds` (0: not at all); secrets rotated out before it are dropped.
   */
  async rotateIdentitySecret(
    id: number,
    overlapSeconds: number,
  ): Promise<{ secret: string; createdAt: number; previousRetiresAt?: number }> {
    const rotated = await this.store.transaction(async (trx) => {
      const ws = await workspaceById(trx, id);
      if (!ws) throw new InvalidInputError('workspace', 'no such workspace');
      const now = unixSeconds(this.clock);
      const made: IdentitySecret = { secret: generateIdentitySecret(), createdAt: now, retiresAt: null };
      const current = ws.identitySecrets.find((x) => x.retiresAt === null);
      const kept: IdentitySecret[] = [made];
      if (current && overlapSeconds > 0) kept.push({ ...current, retiresAt: now + overlapSeconds });
      await setIdentitySecrets(trx, id, kept, now);
      return {
        secret: made.secret,
        createdAt: now,
        ...(current ? { previousRetiresAt: overlapSeconds > 0 ? now + overlapSeconds : now } : {}),
      };
    });
    // This server knows at once; the others hear migration 90's NOTIFY.
    this.cache?.forget(id);
    return rotated;
  }

  async updateSettings(
    id: number,
    patch: { identifierMode?: IdentifierMode; settings?: Partial<WorkspaceSettings>; name?: string },
  ): Promise<Workspace> {
    const ws = await this.get(id);
    if (!ws) throw new InvalidInputError('workspace', 'no such workspace');
    if (patch.identifierMode && !IDENTIFIER_MODES.includes(patch.identifierMode))
      throw new InvalidInputError('identifier_mode', `unknown identifier mode ${patch.identifierMode}`);
    await updateWorkspace(
      this.store.db,
      id,
      {
        name: patch.name ?? ws.name,
        identifierMode: patch.identifierMode ?? ws.identifierMode,
        settings: { ...ws.settings, ...patch.settings },
      },
      unixSeconds(this.clock),
    );
    this.cache?.forget(id);
    return (await this.get(id))!;
  }

  /**
   * Start-up: when credentials are given (ROSTER_SITE_ID, ROSTER_API_KEY, ROSTER_APP_API_KEY) that
   * workspace exists with exactly those keys; otherwise an empty store gets one generated workspace.
   * Returns the credentials only when they were generated now, so they can be printed once.
   */
  async ensureDefault(
    given?: WorkspaceCredentials,
    writeKeys: GivenWriteKeys = {},
  ): Promise<{ workspace: Workspace; generated?: WorkspaceCredentials; generatedWriteKey?: string }> {
    // Several servers may start together on an empty store: one at a time decides (a PostgreSQL
    // advisory lock; SQLite's BEGIN IMMEDIATE), so there is one default workspace, created once.
    return this.store.transaction(async (trx) => {
      await this.store.lockKeys(trx, ['roster:default-workspace']);
      const scoped = new WorkspaceService({ ...this.store, db: trx }, this.clock, this.cache);
      let workspace: Workspace;
      let generated: WorkspaceCredentials | undefined;
      let created = false;
      let createdWriteKey: string | undefined;
      if (given) {
        checkCredentials(given);
        const existing = await scoped.bySiteId(given.siteId);
        if (existing) {
          await scoped.rotateKeys(given.siteId, { track: true, app: true }, given);
          workspace = existing;
        } else {
          const made = await scoped.create({
            ...given,
            ...(writeKeys.writeKey ? { writeKey: writeKeys.writeKey } : {}),
          });
          workspace = made.workspace;
          createdWriteKey = made.credentials.writeKey;
          created = true;
        }
      } else {
        const first = (await scoped.list())[0];
        if (first) workspace = first;
        else {
          const made = await scoped.create(writeKeys.writeKey ? { writeKey: writeKeys.writeKey } : {});
          workspace = made.workspace;
          generated = made.credentials;
          createdWriteKey = made.credentials.writeKey;
          created = true;
        }
      }
      // Write keys: the given ones are put back at every start (like the other keys); a workspace
      // without a public write key (made by an earlier release) gets one, printed once.
      const kinds = await writeKeyKinds(trx, workspace.id);
      let generatedWriteKey: string | undefined;
      const which: WriteKeyChoice = {};
      if (writeKeys.writeKey && !created) which.write = true;
      if (writeKeys.serverWriteKey) which.serverWrite = true;
      if (!writeKeys.writeKey && !kinds.includes('public') && !created) which.write = true;
      if (which.write || which.serverWrite) {
        const out = await scoped.rotateWriteKeys(workspace.siteId, which, writeKeys, trx);
        if (!writeKeys.writeKey && out.writeKey) generatedWriteKey = out.writeKey;
      }
      if (createdWriteKey && !writeKeys.writeKey) generatedWriteKey = createdWriteKey;
      return {
        workspace,
        ...(generated ? { generated } : {}),
        ...(generatedWriteKey ? { generatedWriteKey } : {}),
      };
    });
  }
}
