import path from 'node:path';
import { rateLimitFromEnv } from '../http/routes/app/rate-limit.js';
import type { WorkspaceCredentials } from '../store/workspaces/workspace.js';

/** Everything `roster serve` needs, from flags first, then the environment, then defaults. */
export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  sqliteSynchronous: 'normal' | 'full';
  /** ROSTER_APP_API_RATE_LIMIT: App API requests/s per workspace unless the workspace sets its own; 0 = off. */
  appApiRateLimit: number;
  credentials: WorkspaceCredentials | undefined;
}

export interface ServeFlags {
  port?: string | undefined;
  host?: string | undefined;
  data?: string | undefined;
  'database-url'?: string | undefined;
  'log-level'?: string | undefined;
}

export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid port: ${flags.port ?? env.PORT}`);
  const sync = env.ROSTER_SQLITE_SYNCHRONOUS === 'full' ? 'full' : 'normal';
  const siteId = env.ROSTER_SITE_ID;
  const apiKey = env.ROSTER_API_KEY;
  const appApiKey = env.ROSTER_APP_API_KEY;
  const given = [siteId, apiKey, appApiKey].filter(Boolean).length;
  if (given > 0 && given < 3)
    throw new Error('set all of ROSTER_SITE_ID, ROSTER_API_KEY and ROSTER_APP_API_KEY, or none of them');
  return {
    port,
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(flags.data ?? env.ROSTER_DATA_DIR ?? './data'),
    databaseUrl: flags['database-url'] ?? (env.DATABASE_URL || undefined),
    logLevel: flags['log-level'] ?? env.ROSTER_LOG_LEVEL ?? 'info',
    sqliteSynchronous: sync,
    appApiRateLimit: rateLimitFromEnv(env),
    credentials: siteId && apiKey && appApiKey ? { siteId, apiKey, appApiKey } : undefined,
  };
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
