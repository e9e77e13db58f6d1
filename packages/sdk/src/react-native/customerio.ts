/**
 * The classic `customerio-reactnative` (3.x) names over Roster, so an app moving over changes its
 * import and its host, nothing else. The differences are in README "Migrating from Customer.io's
 * React Native SDK".
 */
import type { LogLevel } from '../core/logger.js';
import type { StorageAdapter } from '../core/platform.js';
import { MemoryFallbackStorage } from './memory-fallback.js';
import { trackPush } from './push.js';
import { Roster, type ReactNativeRosterConfig } from './roster.js';

/** Customer.io regions (classic `Region`). */
export enum Region {
  US = 'US',
  EU = 'EU',
}

/** Classic log levels (`CioLogLevel`). */
export enum CioLogLevel {
  none = 1,
  error,
  info,
  debug,
}

/** Workspace credentials (classic `CustomerIOEnv`): a class, or a plain object of the same shape. */
export class CustomerIOEnv {
  siteId = '';
  apiKey = '';
  region: Region = Region.US;
  /** Deprecated in the classic SDK; ignored. */
  organizationId = '';
}

/**
 * Options (classic `CustomerioConfig`). Set `trackingApiUrl` to your Roster server. The extra
 * `storage` option is Roster's: without it, `@react-native-async-storage/async-storage` is used when
 * installed.
 */
export class CustomerioConfig {
  logLevel: CioLogLevel = CioLogLevel.error;
  autoTrackDeviceAttributes = true;
  /** Classic: the Track API host. Here: your Roster server, e.g. `https://roster.example.com`. */
  trackingApiUrl = '';
  /** Classic: opened/delivered tracked natively. Here: use `Roster.registerPush` (see README). */
  autoTrackPushEvents = true;
  backgroundQueueMinNumberOfTasks = 10;
  backgroundQueueSecondsDelay = 30;
  /** Not supported (Roster has no in-app messages); accepted and ignored. */
  enableInApp = false;
  /** Roster only: the store for the queue. */
  storage?: StorageAdapter;
  /** Roster only: model/manufacturer/app version adapter, e.g. `fromExpo(Device, Application)`. */
  deviceFacts?: ReactNativeRosterConfig['deviceFacts'];
  /** Roster only: where `push_enabled` comes from, e.g. `expoPushPermission(Notifications)`. */
  pushPermission?: ReactNativeRosterConfig['pushPermission'];
}

type Data = Record<string, unknown>;

const LOG_LEVELS: Record<number, LogLevel> = { 1: 'none', 2: 'error', 3: 'info', 4: 'debug' };

/** What `@react-native-async-storage/async-storage` looks like when present. */
declare const require: (id: string) => { default?: StorageAdapter } & Partial<StorageAdapter>;

/**
 * `@react-native-async-storage/async-storage` when the app has it. Metro treats a `require` inside
 * try/catch as optional, so apps without it still bundle.
 */
function installedAsyncStorage(): StorageAdapter | undefined {
  try {
    const mod = require('@react-native-async-storage/async-storage');
    const store = mod.default ?? mod;
    return typeof store.getItem === 'function' ? (store as StorageAdapter) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The classic static API. Tracking calls return a promise that resolves once the call is queued
 * (classic calls returned nothing; code that ignores the result works unchanged).
 * @example
 * CustomerIO.initialize({ siteId: 'SITE_ID', apiKey: 'API_KEY', region: Region.US }, { trackingApiUrl: 'https://roster.example.com' });
 * CustomerIO.identify('person@example.com', { first_name: 'person' });
 */
export class CustomerIO {
  /** Classic `CustomerIO.initialize(env, config)`. A second call is ignored. */
  static initialize(
    env: Pick<CustomerIOEnv, 'siteId' | 'apiKey'> & Partial<CustomerIOEnv>,
    config: Partial<CustomerioConfig> = {},
  ): void {
    const storage = config.storage ?? installedAsyncStorage();
    const options: ReactNativeRosterConfig = {
      siteId: env.siteId,
      apiKey: env.apiKey,
      region: env.region === Region.EU ? 'eu' : 'us',
      storage: storage ?? new MemoryFallbackStorage(),
      ...(config.deviceFacts ? { deviceFacts: config.deviceFacts } : {}),
      ...(config.pushPermission ? { pushPermission: config.pushPermission } : {}),
      ...(config.trackingApiUrl ? { trackingApiUrl: config.trackingApiUrl } : {}),
      ...(config.logLevel !== undefined ? { logLevel: LOG_LEVELS[config.logLevel] ?? 'error' } : {}),
      ...(config.autoTrackDeviceAttributes !== undefined
        ? { autoTrackDeviceAttributes: config.autoTrackDeviceAttributes }
        : {}),
      ...(config.backgroundQueueMinNumberOfTasks !== undefined
        ? { flushAt: config.backgroundQueueMinNumberOfTasks }
        : {}),
      ...(config.backgroundQueueSecondsDelay !== undefined
        ? { flushInterval: config.backgroundQueueSecondsDelay * 1000 }
        : {}),
    };
    Roster.initialize(options);
    if (!storage)
      console.error(
        '[roster] CustomerIO.initialize: no @react-native-async-storage/async-storage and no config.storage; ' +
          'the queue is kept in memory only and lost when the app is killed',
      );
  }

  /**
   * Classic `identify(identifier, body)`. Also takes the Data Pipelines SDK's shape
   * `identify({ userId, traits })`.
   */
  static identify(identifier: string | { userId: string; traits?: Data }, body?: Data): Promise<void> {
    if (typeof identifier === 'object' && identifier !== null)
      return Roster.identify(identifier.userId, identifier.traits);
    return Roster.identify(identifier, body);
  }

  static clearIdentify(): Promise<void> {
    return Roster.clearIdentify();
  }

  static track(name: string, data?: Data): Promise<void> {
    return Roster.track(name, data);
  }

  static screen(name: string, data?: Data): Promise<void> {
    return Roster.screen(name, data);
  }

  static setProfileAttributes(data: Data): Promise<void> {
    return Roster.setProfileAttributes(data);
  }

  static setDeviceAttributes(data: Data): Promise<void> {
    return Roster.setDeviceAttributes(data);
  }

  /** Classic: a null token is ignored. */
  static registerDeviceToken(token: string | null | undefined): Promise<void> {
    return token ? Roster.registerDeviceToken(token) : Promise.resolve();
  }

  static deleteDeviceToken(): Promise<void> {
    return Roster.deleteDeviceToken();
  }

  /** Classic `pushMessaging()`: report metrics from a push payload, read the stored token. */
  static pushMessaging() {
    return {
      /** Tracks `opened` for a push the user tapped (any payload shape; ignored when not Roster's). */
      trackNotificationResponseReceived: (payload: unknown): Promise<void> =>
        trackPush(Roster, 'opened', payload).then(() => undefined),
      /** Tracks `delivered`. */
      trackNotificationReceived: (payload: unknown): Promise<void> =>
        trackPush(Roster, 'delivered', payload).then(() => undefined),
      getRegisteredDeviceToken: async (): Promise<string | undefined> =>
        (await Roster.getState()).token ?? undefined,
    };
  }
}
