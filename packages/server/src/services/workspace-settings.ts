import { unixSeconds, type Clock } from '../lib/clock.js';
import {
  DEFAULT_LOG_RULES,
  LOG_RULE_OUTCOMES,
  MAX_LOG_PREFIX,
  MAX_LOG_RULES,
  type ApnsConfig,
  type FcmConfig,
  type LogRule,
  type LogRuleOutcome,
  type ProviderRegistry,
  type ProviderSettings,
} from '../messaging/index.js';
import {
  deletePushProvider,
  listPushProviders,
  savePushProvider,
} from '../store/messaging/push-providers.js';
import { loadPrivateKey } from '../messaging/providers/jwt.js';
import { ANY_PROVIDER_HOST, type ProviderHostPolicy } from '../messaging/providers/provider-hosts.js';
import { providerTargets } from '../messaging/providers/provider-registry.js';
import type { Store } from '../store/store.js';
import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import type { WorkspaceService } from './workspaces.js';
import {
  DEFAULT_SETTINGS,
  IDENTIFIER_MODES,
  IDENTITY_VERIFICATION_MODES,
  type IdentifierMode,
  type Workspace,
  type WorkspaceSettings,
} from '../store/workspaces/workspace.js';

/** How long a rotated-out identity secret is still accepted unless the rotation says otherwise. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
/** A month: longer overlaps keep a leaked secret alive too long. */
export const MAX_SECRET_OVERLAP_SECONDS = 30 * 86_400;

/** The identity secrets still accepted now. */
function fresh(ws: Workspace, clock: Clock): Workspace['identitySecrets'] {
  const now = unixSeconds(clock);
  return ws.identitySecrets.filter((x) => x.retiresAt === null || x.retiresAt > now);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(b: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = b[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new InvalidInputError(`/${key}`, `${key} is required`, 'required');
    return undefined;
  }
  if (typeof v !== 'string') throw new InvalidInputError(`/${key}`, `${key} must be a string`);
  return v;
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A whole http(s) URL (FCM's `token_uri`), or undefined. */
function url(raw: string | undefined, key: string): string | undefined {
  if (raw === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InvalidInputError(
      `/${key}`,
      `${key} must be a URL such as https://oauth2.googleapis.com/token`,
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new InvalidInputError(`/${key}`, `${key} must be an http(s) URL`);
  return u.href;
}

function origin(raw: string | undefined, key: string): string | undefined {
  if (raw === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InvalidInputError(`/${key}`, `${key} must be a URL such as https://api.push.apple.com`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new InvalidInputError(`/${key}`, `${key} must be an http(s) URL`);
  return u.origin;
}

/** The kinds `PUT /v1/workspace/push-providers/:kind` takes; `log` is the development provider. */
export const PROVIDER_KINDS = ['apns', 'fcm', 'log'] as const;

/** `{rules?: [{prefix, outcome}]}` of the development provider (no rules given: the defaults). */
function parseLogRules(body: Record<string, unknown>): LogRule[] {
  const raw = body.rules;
  if (raw === undefined || raw === null) return DEFAULT_LOG_RULES.map((r) => ({ ...r }));
  if (!Array.isArray(raw))
    throw new InvalidInputError('/rules', 'rules must be an array of {prefix, outcome}');
  if (raw.length > MAX_LOG_RULES)
    throw new InvalidInputError('/rules', `rules may hold at most ${MAX_LOG_RULES} entries`);
  return raw.map((r: unknown, i) => {
    if (!isObject(r))
      throw new InvalidInputError(`/rules/${i}`, 'each rule must be an object {prefix, outcome}');
    const prefix = r.prefix;
    if (typeof prefix !== 'string' || prefix === '' || prefix.length > MAX_LOG_PREFIX)
      throw new InvalidInputError(
        `/rules/${i}/prefix`,
        `rules[${i}].prefix must be a string of 1 to ${MAX_LOG_PREFIX} characters`,
      );
    if (!LOG_RULE_OUTCOMES.includes(r.outcome as LogRuleOutcome))
      throw new InvalidInputError(
        `/rules/${i}/outcome`,
        `rules[${i}].outcome must be one of ${LOG_RULE_OUTCOMES.join(', ')}`,
      );
    return { prefix, outcome: r.outcome as LogRuleOutcome };
  });
}

/** The push-provider config body (`PUT /v1/workspace/push-providers/:kind`) → stored settings. */
export function parseProviderBody(
  kind: string,
  body: unknown,
  hosts: ProviderHostPolicy = ANY_PROVIDER_HOST,
): { settings: ProviderSettings; app: string } {
  const result = parseProviderSettings(kind, body);
  for (const t of providerTargets(result.settings)) {
    const why = hosts.refuse(t.url);
    if (why) throw new InvalidInputError(`/${t.field}`, `${t.field} is not allowed: ${why}`, 'not_allowed');
  }
  return result;
}

function parseProviderSettings(kind: string, body: unknown): { settings: ProviderSettings; app: string } {
  // The development provider needs no credentials: an empty body (or none) turns it on.
  if (kind === 'log' && (body === undefined || body === null || body === '')) body = {};
  if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
  const app = str(body, 'app_identifier', false) ?? '';
  if (kind === 'log') {
    if (app !== '')
      throw new InvalidInputError(
        '/app_identifier',
        'the log provider serves every app of the workspace: leave app_identifier out',
      );
    return { settings: { kind: 'log', config: { rules: parseLogRules(body) } }, app };
  }
  if (kind === 'apns') {
    const privateKey = str(body, 'key_p8', true)!;
    try {
      loadPrivateKey(privateKey, 'key_p8');
    } catch (err) {
      throw new InvalidInputError('/key_p8', (err as Error).message);
    }
    const keyId = str(body, 'key_id', true)!;
    const teamId = str(body, 'team_id', true)!;
    const topic = str(body, 'topic', true)!;
    if (body.production !== undefined && typeof body.production !== 'boolean')
      throw new InvalidInputError('/production', 'production must be a boolean');
    const config: ApnsConfig = { privateKey, keyId, teamId, topic, production: body.production === true };
    const host = origin(str(body, 'host', false), 'host');
    if (host) config.origin = host;
    const ca = str(body, 'ca', false);
    if (ca) config.ca = ca;
    return { settings: { kind: 'apns', config }, app };
  }
  if (kind === 'fcm') {
    const sa = body.service_account;
    if (!isObject(sa))
      throw new InvalidInputError(
        '/service_account',
        'service_account (the JSON key file) is required',
        'required',
      );
    for (const k of ['project_id', 'client_email', 'private_key'])
      if (typeof sa[k] !== 'string' || sa[k] === '')
        throw new InvalidInputError(`/service_account/${k}`, `service_account.${k} is required`, 'required');
    try {
      loadPrivateKey(sa.private_key as string, 'service_account.private_key');
    } catch (err) {
      throw new InvalidInputError('/service_account/private_key', (err as Error).message);
    }
    const tokenUri = url(str(body, 'token_uri', false) ?? stringOrUndefined(sa.token_uri), 'token_uri');
    const config: FcmConfig = {
      serviceAccount: {
        project_id: sa.project_id as string,
        client_email: sa.client_email as string,
        private_key: sa.private_key as string,
        ...(typeof sa.private_key_id === 'string' ? { private_key_id: sa.private_key_id } : {}),
        ...(tokenUri ? { token_uri: tokenUri } : {}),
      },
    };
    const endpoint = origin(str(body, 'endpoint', false), 'endpoint');
    if (endpoint) config.endpoint = endpoint;
    return { settings: { kind: 'fcm', config }, app };
  }
  throw new NotFoundError(`unknown push provider "${kind}": use one of ${PROVIDER_KINDS.join(', ')}`, '/');
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

const SETTING_TYPES: Record<keyof WorkspaceSettings, 'boolean' | 'number' | readonly string[]> = {
  allowEmailUpdateViaId: 'boolean',
  lenientEventData: 'boolean',
  appApiRateLimit: 'number',
  identityVerification: IDENTITY_VERIFICATION_MODES,
};

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

  async update(ws: Workspace, body: unknown): Promise<{ workspace: Record<string, unknown> }> {
    if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
    const patch: { identifierMode?: IdentifierMode; settings?: Partial<WorkspaceSettings>; name?: string } =
      {};
    if (body.identifier_mode !== undefined) {
      if (!IDENTIFIER_MODES.includes(body.identifier_mode as IdentifierMode))
        throw new InvalidInputError(
          '/identifier_mode',
          `identifier_mode must be one of ${IDENTIFIER_MODES.join(', ')}`,
        );
      patch.identifierMode = body.identifier_mode as IdentifierMode;
    }
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || body.name.trim() === '')
        throw new InvalidInputError('/name', 'name must be a non-empty string');
      patch.name = body.name.trim();
    }
    if (body.settings !== undefined) {
      if (!isObject(body.settings)) throw new InvalidInputError('/settings', 'settings must be an object');
      const s: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body.settings)) {
        const type = SETTING_TYPES[k as keyof WorkspaceSettings];
        if (!type || !Object.hasOwn(DEFAULT_SETTINGS, k))
          throw new InvalidInputError(`/settings/${k}`, `unknown setting ${k}`);
        if (Array.isArray(type)) {
          if (!type.includes(v as string))
            throw new InvalidInputError(`/settings/${k}`, `${k} must be one of ${type.join(', ')}`);
          s[k] = v;
          continue;
        }
        if (typeof v !== type || (type === 'number' && (!Number.isFinite(v) || (v as number) < 0)))
          throw new InvalidInputError(
            `/settings/${k}`,
            `${k} must be a ${type === 'number' ? 'non-negative number' : type}`,
          );
        s[k] = v;
      }
      patch.settings = s as Partial<WorkspaceSettings>;
      const mode = patch.settings.identityVerification;
      // Checking signatures (to count or to refuse) needs a secret to check them with.
      if ((mode === 'log' || mode === 'enforce') && fresh(ws, this.clock).length === 0)
        throw new InvalidInputError(
          '/settings/identityVerification',
          'create an identity secret first (POST /v1/workspace/identity-secret), then sign identifiers with it',
          'required',
        );
    }
    const updated = await this.workspaces.updateSettings(ws.id, patch);
    return this.view(updated);
  }

  /**
   * New keys. The tracking and App keys stop working at once (the calling request's App key
   * included); the Pipelines write keys (`write`, `server_write`) after `overlap_seconds` (default
   * 0: at once), so apps shipped with the old public key keep sending while a release rolls out.
   */
  async rotateKeys(ws: Workspace, body: unknown): Promise<Record<string, string | number>> {
    const b = isObject(body) ? body : {};
    for (const k of ['track', 'app', 'write', 'server_write'])
      if (b[k] !== undefined && typeof b[k] !== 'boolean')
        throw new InvalidInputError(`/${k}`, `${k} must be a boolean`);
    const which = { track: b.track === true, app: b.app === true };
    const writes = { write: b.write === true, serverWrite: b.server_write === true };
    if (!which.track && !which.app && !writes.write && !writes.serverWrite)
      throw new InvalidInputError(
        '/',
        'say which keys to rotate: any of {track: true}, {app: true}, {write: true}, {server_write: true}',
        'required',
      );
    const overlap = b.overlap_seconds ?? 0;
    if (
      typeof overlap !== 'number' ||
      !Number.isInteger(overlap) ||
      overlap < 0 ||
      overlap > MAX_SECRET_OVERLAP_SECONDS
    )
      throw new InvalidInputError(
        '/overlap_seconds',
        `overlap_seconds must be a whole number of seconds from 0 to ${MAX_SECRET_OVERLAP_SECONDS}`,
      );
    if (overlap > 0 && !writes.write && !writes.serverWrite)
      throw new InvalidInputError(
        '/overlap_seconds',
        'overlap_seconds applies to write keys only: the tracking and App keys stop at once',
      );
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
  async rotateIdentitySecret(ws: Workspace, body: unknown): Promise<Record<string, unknown>> {
    const b = isObject(body) ? body : {};
    const overlap = b.overlap_seconds ?? DEFAULT_SECRET_OVERLAP_SECONDS;
    if (
      typeof overlap !== 'number' ||
      !Number.isInteger(overlap) ||
      overlap < 0 ||
      overlap > MAX_SECRET_OVERLAP_SECONDS
    )
      throw new InvalidInputError(
        '/overlap_seconds',
        `overlap_seconds must be a whole number of seconds from 0 to ${MAX_SECRET_OVERLAP_SECONDS}`,
      );
    const made = await this.workspaces.rotateIdentitySecret(ws.id, overlap);
    return {
      identity_secret: made.secret,
      created_at: made.createdAt,
      ...(made.previousRetiresAt !== undefined ? { previous_retires_at: made.previousRetiresAt } : {}),
    };
  }

  async saveProvider(
    ws: Workspace,
    kind: string,
    body: unknown,
  ): Promise<{ workspace: Record<string, unknown> }> {
    const { settings, app } = parseProviderBody(kind, body, this.providers.hostPolicy);
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
