import type { LogLevel, LogSink } from './logger.js';
import type { DeviceInfoSource, StorageAdapter } from './platform.js';

/**
 * Customer.io's SDK tracking hosts (packages/sdk/README.md "Configuration"); `trackingApiUrl`
 * overrides them.
 */
export const REGION_HOSTS = {
  us: 'https://track-sdk.customer.io',
  eu: 'https://track-sdk-eu.customer.io',
} as const;

/** Options common to every platform. See README "Configuration" for where each default comes from. */
export interface RosterConfig {
  siteId: string;
  apiKey: string;
  /** Base URL of the Track API, e.g. `http://localhost:8080`. Wins over `region`. */
  trackingApiUrl?: string;
  region?: 'us' | 'eu';
  storage?: StorageAdapter;
  /** Send platform, OS, model, app version, locale, timezone, push_enabled with every device. */
  autoTrackDeviceAttributes?: boolean;
  deviceInfo?: DeviceInfoSource;
  /** Flush once this many ops are queued (classic: 10). */
  flushAt?: number;
  /** Flush this many ms after the first unsent op (classic: 30 s). */
  flushInterval?: number;
  /** Most ops kept on the device. */
  maxQueueSize?: number;
  /** Most bytes of ops kept on the device. */
  maxQueueBytes?: number;
  /** Ops older than this are dropped (`expired`) at the next send (classic: 3 days). */
  queueExpirySeconds?: number;
  /** Most ops per request. */
  maxBatchSize?: number;
  /** How long to stop sending after a 401 (classic: 5 minutes). */
  pauseOnAuthErrorMs?: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  /** Calls before `initialize()` kept in memory and replayed. */
  maxPendingCalls?: number;
  logLevel?: LogLevel;
  logger?: LogSink;
}

export interface ResolvedConfig extends Required<
  Omit<RosterConfig, 'trackingApiUrl' | 'region' | 'storage' | 'deviceInfo' | 'logger'>
> {
  /** `<base>/api/v2/batch`. */
  batchUrl: string;
  deviceInfo?: DeviceInfoSource;
  logger?: LogSink;
}

export const DEFAULTS = {
  autoTrackDeviceAttributes: true,
  flushAt: 10,
  flushInterval: 30_000,
  maxQueueSize: 1_000,
  maxQueueBytes: 2_000_000,
  queueExpirySeconds: 3 * 24 * 3600,
  // Batches are cut by bytes (< 500 KB, what the Track API accepts); 1,000 ops = the whole default queue,
  // so a backlog from a day offline goes out in a handful of requests.
  maxBatchSize: 1_000,
  pauseOnAuthErrorMs: 5 * 60_000,
  requestTimeoutMs: 10_000,
  maxPendingCalls: 1_000,
  logLevel: 'error',
} as const satisfies Partial<RosterConfig>;

/**
 * Applies defaults and validates. Throws on a missing siteId/apiKey: that is a programming error
 * the app should see at startup, unlike delivery failures which are only ever events.
 */
export function resolveConfig(config: RosterConfig): ResolvedConfig {
  if (!config.siteId || !config.apiKey) throw new Error('Roster: siteId and apiKey are required');
  const base = baseUrl(config);
  const { trackingApiUrl: _u, region: _r, storage: _s, ...rest } = config;
  return {
    ...DEFAULTS,
    ...stripUndefined(rest),
    batchUrl: `${base}/api/v2/batch`,
  } as ResolvedConfig;
}

function baseUrl(config: RosterConfig): string {
  const raw = config.trackingApiUrl?.trim() || REGION_HOSTS[config.region ?? 'us'];
  // Accept `…/api/v1` (what customerio-node users are used to passing) as the base too.
  return raw.replace(/\/+$/, '').replace(/\/api\/v[12]$/, '');
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
