import path from 'node:path';
import type { RuntimeOptions } from '../messaging/runtime.js';
import type { WebhookSettings } from '../messaging/webhooks/webhook-service.js';
import type { StoreConfig } from '../store/open-store.js';
import type { WorkspaceCredentials } from '../store/workspaces/workspace.js';

/**
 * Everything `roster serve` needs, from flags first, then the environment, then defaults. This file
 * is the only place that reads the environment: the rest of the server is handed this object (or
 * the part of it it needs), so tests and embedders configure it without touching `process.env`.
 */
export interface ServeConfig extends Pick<
  CliStoreConfig,
  'queryBudgetMs' | 'pgMergeWrites' | 'pgWriteGroups' | 'pgSessionPrepare'
> {
  /** PORT */
  port: number;
  /** HOST */
  host: string;
  /** ROSTER_DATA_DIR: the SQLite data directory. */
  dataDir: string;
  /** DATABASE_URL: PostgreSQL instead of SQLite. */
  databaseUrl: string | undefined;
  /** ROSTER_LOG_LEVEL */
  logLevel: string;
  /** ROSTER_SQLITE_SYNCHRONOUS: `full` fsyncs every commit. */
  sqliteSynchronous: 'normal' | 'full';
  /** ROSTER_PG_PREPARED_STATEMENTS: `off` runs every statement unnamed (older PgBouncer). */
  pgPreparedStatements: boolean;
  /** ROSTER_APP_API_RATE_LIMIT: App API requests/s per workspace unless the workspace sets its own; 0 = off. */
  appApiRateLimit: number;
  /**
   * ROSTER_PUBLIC_RATE_LIMIT: requests/s per client address on the Track routes that need no key
   * (metrics, push events, unsubscribe) when sent without one; default 20, 0 = off.
   */
  publicRateLimit: number;
  /** ROSTER_SITE_ID + ROSTER_API_KEY + ROSTER_APP_API_KEY: the default workspace's keys. */
  credentials: WorkspaceCredentials | undefined;
  /** ROSTER_SEGMENT_RECHECK_SECONDS: how often segments with `within` windows are rechecked. */
  segmentRecheckSeconds: number;
  /** People an object change re-evaluates inside its write; the rest follow in background batches. */
  objectChangeInWrite: number;
  /**
   * ROSTER_PUSH_PROVIDER_HOSTS: hosts (host or host:port, comma-separated; `*` any) push-provider
   * settings may name beyond APNs' and FCM's own. Default: none.
   */
  pushProviderHosts: readonly string[] | '*';
  /** ROSTER_METRICS_TOKEN: Bearer token required on `/metrics`; unset = open. */
  metricsToken: string | undefined;
  /** ROSTER_DASHBOARD_DIR: where the built dashboard is (default: the package's own build). */
  dashboardDir: string | undefined;
  /** The delivery worker and broadcast fan-out (ROSTER_DELIVERY_*, ROSTER_BROADCAST_*). */
  messaging: RuntimeOptions;
  /** Outgoing webhooks (ROSTER_WEBHOOK_*; docs/webhooks.md). */
  webhooks: WebhookSettings;
  /** ROSTER_WEBHOOK_WORKER=0: this process sends no webhooks (another one does). */
  webhookWorker: boolean;
  /** ROSTER_WRITE_KEY + ROSTER_SERVER_WRITE_KEY: the default workspace's Pipelines write keys. */
  writeKeys: { writeKey?: string | undefined; serverWriteKey?: string | undefined };
  /** --public-url / ROSTER_PUBLIC_URL: where clients reach this server (Pipelines settings' apiHost). */
  publicUrl: string | undefined;
  /** ROSTER_RETENTION_DAYS: events and activities older than this go (docs/operations.md "Retention"); unset keeps all. */
  retentionDays: number | undefined;
  /** ROSTER_REQUEST_TIMEOUT_SECONDS: a request must arrive whole within this (default 30). */
  requestTimeoutMs: number;
  /** ROSTER_SHUTDOWN_GRACE_SECONDS: on SIGTERM, in-flight requests get this long (default 20). */
  shutdownGraceMs: number;
  /** ROSTER_PIPELINES_MAX_CONCURRENT: Pipelines requests in flight per process before 429. */
  pipelinesMaxConcurrent: number;
  /** --tls-cert + --tls-key / ROSTER_TLS_CERT + ROSTER_TLS_KEY: PEM files; HTTPS when both are set. */
  tls: { certFile: string; keyFile: string } | undefined;
}

export interface ServeFlags {
  port?: string | undefined;
  host?: string | undefined;
  data?: string | undefined;
  'database-url'?: string | undefined;
  'log-level'?: string | undefined;
  'public-url'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
}

type Env = Record<string, string | undefined>;

/** A positive number, or undefined when unset, empty, zero or not a number. */
function positive(env: Env, key: string): number | undefined {
  const v = Number(env[key]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * Unauthenticated metric and unsubscribe requests per second per client address. A phone reports
 * a handful per push it receives; 20/s (with a burst of 200) leaves room for a busy office NAT and
 * stops one address from writing thousands of rows a second (docs/security.md).
 */
export const DEFAULT_PUBLIC_RATE_LIMIT = 20;

/** A non-negative rate: unset or empty → `fallback`, `0` → off; anything else must be a number. */
function rateOrOff(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0)
    throw new Error(`${key} must be a number of requests per second (0 = off)`);
  return v;
}

/** ROSTER_PG_WRITE_GROUPS: unset or empty for the default; otherwise a whole number from 1 to 8. */
function writeGroups(env: Env): number | undefined {
  const raw = env.ROSTER_PG_WRITE_GROUPS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1 || v > 8)
    throw new Error(`ROSTER_PG_WRITE_GROUPS must be a whole number from 1 to 8, got ${raw}`);
  return v;
}

/**
 * ROSTER_PG_PREPARED_STATEMENTS: `on` (default): the Track write path's statements are named
 * prepared statements of the protocol, and the merged UPDATEs a COMMIT carries SQL `PREPARE`d
 * (held-writes.ts); `protocol`: only the former, which PgBouncer 1.21+ tracks in transaction mode
 * (`max_prepared_statements`) while no pooler tracks SQL `PREPARE`; `off`: neither.
 */
function preparedStatements(env: Env): { pgPreparedStatements: boolean; pgSessionPrepare: boolean } {
  const raw = (env.ROSTER_PG_PREPARED_STATEMENTS ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on') return { pgPreparedStatements: true, pgSessionPrepare: true };
  if (raw === 'protocol') return { pgPreparedStatements: true, pgSessionPrepare: false };
  if (raw === 'off') return { pgPreparedStatements: false, pgSessionPrepare: false };
  throw new Error(
    `ROSTER_PG_PREPARED_STATEMENTS must be on, protocol or off, got ${env.ROSTER_PG_PREPARED_STATEMENTS}`,
  );
}

/** ROSTER_RETENTION_DAYS: unset or empty keeps everything; otherwise a whole number of days ≥ 1. */
function retentionDays(env: Env): number | undefined {
  const raw = env.ROSTER_RETENTION_DAYS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(
      `ROSTER_RETENTION_DAYS must be a whole number of days (1 or more), or unset to keep everything; got ${raw}`,
    );
  return v;
}

/** Where the store is: `roster serve` and the other commands (import, export, workspace, backup). */
export interface CliStoreConfig extends StoreConfig {
  databaseUrl: string | undefined;
  pgPreparedStatements: boolean;
  /** ROSTER_PG_PREPARED_STATEMENTS=on (not `protocol` or `off`): SQL PREPARE of merged UPDATEs. */
  pgSessionPrepare: boolean;
  /** ROSTER_PG_MERGE_WRITES: `off` sends a transaction's held writes one statement each. */
  pgMergeWrites: boolean;
  /** ROSTER_QUERY_TIMEOUT_MS: time budget of App API searches and counts (default 10,000). */
  queryBudgetMs: number | undefined;
  /** ROSTER_PG_WRITE_GROUPS: groups of concurrent Track writes committing at once (PostgreSQL). */
  pgWriteGroups: number | undefined;
}

export function resolveStoreConfig(
  flags: Pick<ServeFlags, 'data' | 'database-url'>,
  env: Env,
): CliStoreConfig {
  return {
    dataDir: path.resolve(flags.data ?? env.ROSTER_DATA_DIR ?? './data'),
    databaseUrl: flags['database-url'] ?? (env.DATABASE_URL || undefined),
    ...preparedStatements(env),
    pgMergeWrites: env.ROSTER_PG_MERGE_WRITES?.toLowerCase() !== 'off',
    queryBudgetMs: positive(env, 'ROSTER_QUERY_TIMEOUT_MS'),
    pgWriteGroups: writeGroups(env),
  };
}

export function resolveServeConfig(flags: ServeFlags, env: Env): ServeConfig {
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid port: ${flags.port ?? env.PORT}`);
  const siteId = env.ROSTER_SITE_ID;
  const apiKey = env.ROSTER_API_KEY;
  const appApiKey = env.ROSTER_APP_API_KEY;
  const given = [siteId, apiKey, appApiKey].filter(Boolean).length;
  if (given > 0 && given < 3)
    throw new Error('set all of ROSTER_SITE_ID, ROSTER_API_KEY and ROSTER_APP_API_KEY, or none of them');
  const pageSize = positive(env, 'ROSTER_BROADCAST_PAGE_SIZE');
  const certFile = flags['tls-cert'] ?? (env.ROSTER_TLS_CERT || undefined);
  const keyFile = flags['tls-key'] ?? (env.ROSTER_TLS_KEY || undefined);
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new Error('set both --tls-cert and --tls-key (ROSTER_TLS_CERT and ROSTER_TLS_KEY), or neither');
  const publicUrl = flags['public-url'] ?? (env.ROSTER_PUBLIC_URL || undefined);
  if (publicUrl && !/^https?:\/\/[^/]/.test(publicUrl))
    throw new Error(`ROSTER_PUBLIC_URL must be an http:// or https:// URL, got ${publicUrl}`);
  return {
    ...resolveStoreConfig(flags, env),
    port,
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    logLevel: flags['log-level'] ?? env.ROSTER_LOG_LEVEL ?? 'info',
    sqliteSynchronous: env.ROSTER_SQLITE_SYNCHRONOUS === 'full' ? 'full' : 'normal',
    appApiRateLimit: positive(env, 'ROSTER_APP_API_RATE_LIMIT') ?? 0,
    publicRateLimit: rateOrOff(env, 'ROSTER_PUBLIC_RATE_LIMIT', DEFAULT_PUBLIC_RATE_LIMIT),
    credentials: siteId && apiKey && appApiKey ? { siteId, apiKey, appApiKey } : undefined,
    segmentRecheckSeconds: Number(env.ROSTER_SEGMENT_RECHECK_SECONDS || 60),
    objectChangeInWrite: positive(env, 'ROSTER_OBJECT_CHANGE_IN_WRITE') ?? 10_000,
    metricsToken: env.ROSTER_METRICS_TOKEN || undefined,
    pushProviderHosts:
      env.ROSTER_PUSH_PROVIDER_HOSTS?.trim() === '*'
        ? '*'
        : (env.ROSTER_PUSH_PROVIDER_HOSTS ?? '')
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean),
    dashboardDir: env.ROSTER_DASHBOARD_DIR,
    writeKeys: {
      writeKey: env.ROSTER_WRITE_KEY || undefined,
      serverWriteKey: env.ROSTER_SERVER_WRITE_KEY || undefined,
    },
    publicUrl,
    retentionDays: retentionDays(env),
    requestTimeoutMs: (positive(env, 'ROSTER_REQUEST_TIMEOUT_SECONDS') ?? 30) * 1000,
    shutdownGraceMs: (positive(env, 'ROSTER_SHUTDOWN_GRACE_SECONDS') ?? 20) * 1000,
    pipelinesMaxConcurrent: Math.floor(positive(env, 'ROSTER_PIPELINES_MAX_CONCURRENT') ?? 64),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    webhooks: {
      allowPrivate: env.ROSTER_WEBHOOK_ALLOW_PRIVATE === '1',
      connectTimeoutMs: (positive(env, 'ROSTER_WEBHOOK_CONNECT_TIMEOUT_SECONDS') ?? 5) * 1000,
      timeoutMs: (positive(env, 'ROSTER_WEBHOOK_TIMEOUT_SECONDS') ?? 15) * 1000,
      pauseAfterFailures: Math.floor(positive(env, 'ROSTER_WEBHOOK_PAUSE_AFTER_FAILURES') ?? 100),
      retryBaseMs: (positive(env, 'ROSTER_WEBHOOK_RETRY_BASE_SECONDS') ?? 10) * 1000,
      leaseMs: positive(env, 'ROSTER_WEBHOOK_LEASE_MS'),
    },
    webhookWorker: env.ROSTER_WEBHOOK_WORKER !== '0',
    messaging: {
      deliveryWorker: env.ROSTER_DELIVERY_WORKER !== '0',
      broadcastWorker: env.ROSTER_BROADCAST_WORKER !== '0',
      deliveryLeaseMs: positive(env, 'ROSTER_DELIVERY_LEASE_MS'),
      broadcastLeaseMs: positive(env, 'ROSTER_BROADCAST_LEASE_MS'),
      broadcastPageSize: pageSize === undefined ? undefined : Math.floor(pageSize),
      broadcastPauseMs: positive(env, 'ROSTER_BROADCAST_PAUSE_MS'),
    },
  };
}

/** `roster serve`'s configuration from its flags and this process's environment. */
export function serveConfig(flags: ServeFlags): ServeConfig {
  return resolveServeConfig(flags, process.env);
}

/** The store the other commands open: `--data` / `--database-url`, then the environment. */
export function storeConfig(flags: Pick<ServeFlags, 'data' | 'database-url'>): CliStoreConfig {
  return resolveStoreConfig(flags, process.env);
}

/** A database URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
