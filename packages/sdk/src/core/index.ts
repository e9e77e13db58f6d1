/** The platform-neutral core. Apps import a platform entry (`@roster/sdk/node`, `/browser`, `/react-native`). */
export { RosterClient, type PlatformDeps, type RosterState } from './client.js';
export { createSingleton, type RosterSingleton } from './singleton.js';
export { REGION_HOSTS, DEFAULTS, resolveConfig, type RosterConfig } from './config.js';
export type { FlushResult, FlushOptions } from './deliverer.js';
export type { RosterEvents, RosterEventName, OpRef, DropReason, TaskKind } from './events.js';
export type { Call, IdentifyOptions, PushMetric } from './calls.js';
export type {
  Clock,
  DeviceInfo,
  DeviceInfoSource,
  Lifecycle,
  StorageAdapter,
  Timers,
  Transport,
  TransportRequest,
  TransportResponse,
} from './platform.js';
export type { LogLevel, LogSink } from './logger.js';
export { classify, type Attempt, type Verdict } from './classify.js';
export { backoff } from './backoff.js';
export { parseRetryAfter } from './retry-after.js';
export { createUlid, type RandomSource } from './ulid.js';
export { identifiersFor } from './identifiers.js';
export { SDK_VERSION } from './version.js';
export type * from './wire.js';
