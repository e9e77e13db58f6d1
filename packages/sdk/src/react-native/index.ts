/**
 * React Native entry. No `react-native` import: the app passes an AsyncStorage-compatible store
 * (required; `@react-native-async-storage/async-storage` fits), device info (e.g. from
 * react-native-device-info) and, optionally, `AppState` so the queue flushes when the app goes to
 * the background.
 * @example
 * import AsyncStorage from '@react-native-async-storage/async-storage';
 * import { AppState, Platform } from 'react-native';
 * import { Roster } from '@roster/sdk/react-native';
 * Roster.initialize({ siteId, apiKey, region: 'us', storage: AsyncStorage, appState: AppState,
 *   deviceInfo: { platform: Platform.OS, deviceOs: String(Platform.Version) } });
 */
import { RosterClient, type PlatformDeps } from '../core/client.js';
import type { RosterConfig } from '../core/config.js';
import type { Lifecycle, StorageAdapter, Transport } from '../core/platform.js';
import { createSingleton, type RosterSingleton } from '../core/singleton.js';
import type { RandomSource } from '../core/ulid.js';

export * from '../core/index.js';

/** The part of React Native's `AppState` the SDK uses. */
export interface AppStateLike {
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

export interface ReactNativeRosterConfig extends RosterConfig {
  storage: StorageAdapter;
  appState?: AppStateLike;
  transport?: Transport;
  /** Needed when `crypto.getRandomValues` is not polyfilled (e.g. expo-crypto's getRandomValues). */
  randomSource?: RandomSource;
  clock?: PlatformDeps['clock'];
  timers?: PlatformDeps['timers'];
}

function appStateLifecycle(appState: AppStateLike): Lifecycle {
  return {
    subscribe(onBackground) {
      const sub = appState.addEventListener('change', (s) => s === 'background' && onBackground());
      return () => sub.remove();
    },
  };
}

/** An independent, initialized client. */
export function createRoster(config: ReactNativeRosterConfig): RosterClient {
  const { appState, transport, randomSource, clock, timers, ...rest } = config;
  return new RosterClient(rest, {
    transport: transport ?? ((url, init) => globalThis.fetch(url, init)),
    storage: config.storage,
    platform: 'react-native',
    setUserAgent: true,
    ...(appState ? { lifecycle: appStateLifecycle(appState) } : {}),
    ...(randomSource ? { randomSource } : {}),
    ...(clock ? { clock } : {}),
    ...(timers ? { timers } : {}),
  });
}

/** The ready singleton: `Roster.initialize(config)`, then `Roster.identify(…)`. */
export const Roster: RosterSingleton = createSingleton((config) =>
  createRoster(config as ReactNativeRosterConfig),
);
