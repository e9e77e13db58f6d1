/**
 * React Native entry (Expo included). Reads `Platform`, `AppState` and `Intl` itself; the app passes
 * an AsyncStorage-compatible store (required) and, optionally, one-line adapters for model/app
 * version (`fromExpo`, `fromDeviceInfo`) and for `push_enabled` (`expoPushPermission`,
 * `firebasePushPermission`).
 * @example
 * import AsyncStorage from '@react-native-async-storage/async-storage';
 * import { Roster } from '@roster/sdk/react-native';
 * Roster.initialize({ siteId, apiKey, trackingApiUrl: 'https://roster.example.com', storage: AsyncStorage });
 */
export * from '../core/index.js';
export * from './adapters.js';
export * from './push.js';
export {
  createRoster,
  Roster,
  type AppStateLike,
  type ReactNativeRosterConfig,
  type ReactNativeRosterSingleton,
} from './roster.js';
export { CustomerIO, CustomerIOEnv, CustomerioConfig, Region, CioLogLevel } from './customerio.js';
export {
  reactNativeDeviceInfo,
  type DeviceFacts,
  type PlatformLike,
  type PushPermissionSource,
} from './device-info.js';
