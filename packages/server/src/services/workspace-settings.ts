import { unixSeconds, type Clock } from '../lib/clock.js';
import type { ProviderRegistry, ProviderSettings } from '../messaging/index.js';
import {
  deletePushProvider,
  listPushProviders,
  savePushProvider,
} from '../store/messaging/push-providers.js';
import { providerTargets } from '../messaging/providers/provider-registry.js';
import type { Store } from '../store/store.js';
import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import type { WorkspaceService } from './workspaces.js';
import type { Workspace } from '../store/workspaces/workspace.js';
import {
  PROVIDER_KINDS,
  type KeyRotation,
  type ProviderWrite,
  type SecretRotation,
  type WorkspaceUpdate,
} from './workspace-settings-input.js';

/** The identity secrets still accepted now. */
function fresh(ws: Workspace, clock: Clock): Workspace['identitySecrets'] {
  const now = unixSeconds(clock);
  return ws.identitySecrets.filter((x) => x.retiresAt === null || x.retiresAt > now);
}

/** What `GET /v1/workspace` shows of a provider: which account, never a secret. */
function providerDetails(s: ProviderSettings): Record<string, unknown> {
  switch (s.kind) {
    case 'apns':
      return { key_id: s.config.keyId, team_id: s.config.teamId, topic: s.config.topic };
    case 'fcm':
      return { project_id: s.config.serviceAccount.project_id };
    case 'log':
      return { rules: s.config.rules };
  }
}

/** The dashboard's workspace settings (`/v1/workspace…`): never returns a secret. */
export class WorkspaceSettingsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly workspaces: WorkspaceService,
    private readonly providers: ProviderRegistry,
  ) {}

  async view(ws: Workspace): Promise<{ workspace: Record<string, unknown> }> {
    const fresh = (await this.workspaces.get(ws.id)) ?? ws;
    const rows = await listPushProviders<ProviderSettings>(this.store.db, ws.id);
    return {
      workspace: {
        site_id: fresh.siteId,
        name: fresh.name,
        identifier_mode: fresh.identifierMode,
        settings: fresh.settings,
        // Never the secrets themselves: they are shown once, when made.
        identity_secrets: fresh.identitySecrets.map((x) => ({
          created_at: x.createdAt,
          retires_at: x.retiresAt,
        })),
        push_providers: rows
          .sort(
            (a, b) =>
              a.settings.kind.localeCompare(b.settings.kind) ||
              a.appIdentifier.localeCompare(b.appIdentifier),
          )
          .map((r) => ({
            kind: r.settings.kind,
            app_identifier: r.appIdentifier,
            configured: true,
            ...providerDetails(r.settings),
            updated_at: r.updatedAt,
          })),
      },
    };
  }

  async update(ws: Workspace, patch: WorkspaceUpdate): Promise<{ workspace: Record<string, unknown> }> {
    const mode = patch.settings?.identityVerification;
    // Checking signatures (to count or to refuse) needs a secret to check them with.
    if ((mode === 'log' || mode === 'enforce') && fresh(ws, this.clock).length === 0)
      throw new InvalidInputError(
        '/settings/identityVerification',
        'create an identity secret first (POST /v1/workspace/identity-secret), then sign identifiers with it',
        'required',
      );
    const updated = await this.workspaces.updateSettings(ws.id, patch);
    return this.view(updated);
  }

  /**
   * New keys. The tracking and App keys stop working at once (the calling request's App key
   * included); the Pipelines write keys (`write`, `server_write`) after `overlap_seconds` (default
   * 0: at once), so apps shipped with the old public key keep sending while a release rolls out.
   */
  async rotateKeys(ws: Workspace, command: KeyRotation): Promise<Record<string, string | number>> {
    const { which, writes, overlap } = command;
    // Write keys first: a refusal there (none) leaves the other keys as they were.
    const w =
      writes.write || writes.serverWrite
        ? await this.workspaces.rotateWriteKeys(ws.siteId, writes, {}, undefined, overlap)
        : undefined;
    const out = which.track || which.app ? await this.workspaces.rotateKeys(ws.siteId, which) : {};
    return {
      site_id: ws.siteId,
      ...(out.apiKey ? { api_key: out.apiKey } : {}),
      ...(out.appApiKey ? { app_api_key: out.appApiKey } : {}),
      ...(w?.writeKey ? { write_key: w.writeKey } : {}),
      ...(w?.serverWriteKey ? { server_write_key: w.serverWriteKey } : {}),
      ...(w?.previousRetiresAt !== undefined ? { previous_write_keys_retire_at: w.previousRetiresAt } : {}),
    };
  }

  /**
   * A new identity secret (signed identify), shown once. The current one keeps being accepted for
   * `overlap_seconds` (default a day, so apps holding signatures made with it keep working while
   * the backend switches); older secrets stop at once.
   */
  async rotateIdentitySecret(ws: Workspace, command: SecretRotation): Promise<Record<string, unknown>> {
    const made = await this.workspaces.rotateIdentitySecret(ws.id, command.overlap);
    return {
      identity_secret: made.secret,
      created_at: made.createdAt,
      ...(made.previousRetiresAt !== undefined ? { previous_retires_at: made.previousRetiresAt } : {}),
    };
  }

  async saveProvider(
    ws: Workspace,
    { settings, app }: ProviderWrite,
  ): Promise<{ workspace: Record<string, unknown> }> {
    for (const t of providerTargets(settings)) {
      const why = this.providers.hostPolicy.refuse(t.url);
      if (why) throw new InvalidInputError(`/${t.field}`, `${t.field} is not allowed: ${why}`, 'not_allowed');
    }
    await this.store.transaction((trx) =>
      savePushProvider(trx, ws.id, settings, app, unixSeconds(this.clock)),
    );
    this.providers.invalidate(ws.id);
    return this.view(ws);
  }

  async deleteProvider(ws: Workspace, kind: string, appIdentifier: string): Promise<void> {
    if (!(PROVIDER_KINDS as readonly string[]).includes(kind)) throw new NotFoundError();
    const gone = await this.store.transaction((trx) => deletePushProvider(trx, ws.id, kind, appIdentifier));
    this.providers.invalidate(ws.id);
    if (!gone) throw new NotFoundError();
  }
}
