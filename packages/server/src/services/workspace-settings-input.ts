import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import {
  DEFAULT_LOG_RULES,
  LOG_RULE_OUTCOMES,
  MAX_LOG_PREFIX,
  MAX_LOG_RULES,
  type ApnsConfig,
  type FcmConfig,
  type LogRule,
  type LogRuleOutcome,
  type ProviderSettings,
} from '../messaging/index.js';
import { loadPrivateKey } from '../messaging/providers/jwt.js';
import {
  DEFAULT_SETTINGS,
  IDENTIFIER_MODES,
  IDENTITY_VERIFICATION_MODES,
  type IdentifierMode,
  type WorkspaceSettings,
} from '../store/workspaces/workspace.js';

/** How long a rotated-out identity secret is still accepted unless the rotation says otherwise. */
export const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;
/** A month: longer overlaps keep a leaked secret alive too long. */
export const MAX_SECRET_OVERLAP_SECONDS = 30 * 86_400;

/** `PUT /v1/workspace`: what changes (only what the body gives). */
export interface WorkspaceUpdate {
  identifierMode?: IdentifierMode;
  settings?: Partial<WorkspaceSettings>;
  name?: string;
}

/** `POST /v1/workspace/rotate-keys`: which keys, and how long old write keys keep working. */
export interface KeyRotation {
  which: { track: boolean; app: boolean };
  writes: { write: boolean; serverWrite: boolean };
  overlap: number;
}

/** `POST /v1/workspace/identity-secret`: how long the current secret keeps being accepted. */
export interface SecretRotation {
  overlap: number;
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

/** An http(s) URL (`example` shows one in the error), or undefined. */
function httpUrl(raw: string | undefined, key: string, example: string): URL | undefined {
  if (raw === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InvalidInputError(`/${key}`, `${key} must be a URL such as ${example}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new InvalidInputError(`/${key}`, `${key} must be an http(s) URL`);
  return u;
}

/** A whole http(s) URL (FCM's `token_uri`), or undefined. */
function url(raw: string | undefined, key: string): string | undefined {
  return httpUrl(raw, key, 'https://oauth2.googleapis.com/token')?.href;
}

/** The origin of an http(s) URL (a provider's host), or undefined. */
function origin(raw: string | undefined, key: string): string | undefined {
  return httpUrl(raw, key, 'https://api.push.apple.com')?.origin;
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

/** A push provider's configuration (`PUT /v1/workspace/push-providers/:kind`) as stored. */
export interface ProviderWrite {
  settings: ProviderSettings;
  /** The app it serves (`''`: every app of the workspace). */
  app: string;
}

/** The push-provider config body → stored settings; the service checks the hosts it names. */
export function parseProviderBody(kind: string, body: unknown): ProviderWrite {
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

const SETTING_TYPES: Record<keyof WorkspaceSettings, 'boolean' | 'number' | readonly string[]> = {
  allowEmailUpdateViaId: 'boolean',
  lenientEventData: 'boolean',
  appApiRateLimit: 'number',
  identityVerification: IDENTITY_VERIFICATION_MODES,
};

export function parseWorkspaceUpdate(body: unknown): WorkspaceUpdate {
  if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
  const patch: WorkspaceUpdate = {};
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
  if (body.settings !== undefined) patch.settings = parseSettings(body.settings);
  return patch;
}

function parseSettings(raw: unknown): Partial<WorkspaceSettings> {
  if (!isObject(raw)) throw new InvalidInputError('/settings', 'settings must be an object');
  const s: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
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
  return s as Partial<WorkspaceSettings>;
}

/** A body that is not an object rotates nothing (and says so). */
export function parseKeyRotation(body: unknown): KeyRotation {
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
  const overlap = overlapSeconds(b.overlap_seconds ?? 0);
  if (overlap > 0 && !writes.write && !writes.serverWrite)
    throw new InvalidInputError(
      '/overlap_seconds',
      'overlap_seconds applies to write keys only: the tracking and App keys stop at once',
    );
  return { which, writes, overlap };
}

/** No body (or not an object): the default overlap. */
export function parseSecretRotation(body: unknown): SecretRotation {
  const b = isObject(body) ? body : {};
  return { overlap: overlapSeconds(b.overlap_seconds ?? DEFAULT_SECRET_OVERLAP_SECONDS) };
}

function overlapSeconds(overlap: unknown): number {
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
  return overlap;
}
