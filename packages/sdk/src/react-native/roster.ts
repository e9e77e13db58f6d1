/** The React Native client and singleton (split from index.ts so the CustomerIO names can use it without a cycle). */
import { AppState, Platform } from 'react-native';
import { RosterClient, type PlatformDeps } from '../core/client.js';
import type { RosterConfig } from '../core/config.js';
import type { Lifecycle, StorageAdapter, Transport } from '../core/platform.js';
import { createSingleton, type RosterSingleton } from '../core/singleton.js';
import type { RandomSource } from '../core/ulid.js';
import {
  reactNativeDeviceInfo,
  type DeviceFacts,
  type PlatformLike,
  type PushPermissionSource,
} from './device-info.js';
import { registerPush, type PushSource, type RegisterPushOptions } from './push.js';

/** The part of React Native's `AppState` the SDK uses. */
export interface AppStateLike {
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void };
}

export interface ReactNativeRosterConfig extends RosterConfig {
  /** Where the queue lives: `@react-native-async-storage/async-storage` (or any getItem/setItem/removeItem store). */
  storage: StorageAdapter;
  /**
   * Model, manufacturer and app version: `fromExpo(Device, Application)`,
   * `fromDeviceInfo(DeviceInfo)` or your own function. Platform, OS, locale and timezone are automatic.
   */
  deviceFacts?: () => DeviceFacts | Promise<DeviceFacts>;
  /** `push_enabled`: `expoPushPermission(Notifications)` or `firebasePushPermission(messaging())`; re-read on every foreground. */
  pushPermission?: PushPermissionSource;
  /** Defaults to React Native's `AppState` (flush on background, refresh on foreground); `null` turns that off. */
  appState?: AppStateLike | null;
  /** Defaults to React Native's `Platform`. */
  platform?: PlatformLike;
  /** Defaults to `globalThis.fetch`. */
  transport?: Transport;
  /** Needed when `crypto.getRandomValues` is not polyfilled (e.g. expo-crypto's getRandomValues). */
  randomSource?: RandomSource;
  clock?: PlatformDeps['clock'];
  timers?: PlatformDeps['timers'];
}

/** Background → flush; back to active → refresh device facts and retry. */
function appStateLifecycle(appState: AppStateLike): Lifecycle {
  return {
    subscribe(onBackground, onForeground) {
      let last = 'active';
      const sub = appState.addEventListener('change', (s) => {
        if (s === 'background') onBackground();
        else if (s === 'active' && last !== 'active') onForeground?.();
        last = s;
      });
      return () => sub.remove();
    },
  };
}

/** An independent, initialized client. */
export function createRoster(config: ReactNativeRosterConfig): RosterClient {
  const { appState, platform, deviceFacts, pushPermission, transport, randomSource, clock, timers, ...rest } =
    config;
  const rnPlatform = platform ?? (Platform as PlatformLike);
  const lifecycleSource = appState === undefined ? (AppState as AppStateLike) : appState;
  return new RosterClient(rest, {
    transport: transport ?? ((url, init) => globalThis.fetch(url, init)),
    storage: config.storage,
    platform: rnPlatform.OS,
    setUserAgent: true,
    deviceInfo: () => reactNativeDeviceInfo(rnPlatform, deviceFacts, pushPermission),
    ...(lifecycleSource ? { lifecycle: appStateLifecycle(lifecycleSource) } : {}),
    ...(randomSource ? { randomSource } : {}),
    ...(clock ? { clock } : {}),
    ...(timers ? { timers } : {}),
  });
}

/** The React Native singleton: the shared methods plus `registerPush`. */
export interface ReactNativeRosterSingleton extends RosterSingleton<ReactNativeRosterConfig> {
  /**
   * Registers the push token from expo-notifications or Firebase messaging, follows rotation, and
   * reports opened/delivered for Roster's pushes. Returns a function that stops listening.
   * @example
   * Roster.registerPush(expoPush(Notifications), { onDeepLink: (url) => Linking.openURL(url) });
   */
  registerPush(source: PushSource, options?: RegisterPushOptions): () => void;
}

const singleton = createSingleton<ReactNativeRosterConfig>((config) => createRoster(config));

/** The ready singleton: `Roster.initialize(config)`, then `Roster.identify(…)`. */
export const Roster: ReactNativeRosterSingleton = Object.assign(singleton, {
  registerPush: (source: PushSource, options?: RegisterPushOptions) =>
    registerPush(singleton, source, options),
});
