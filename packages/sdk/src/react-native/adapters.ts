/**
 * One-line adapters over the libraries React Native apps already have. The SDK imports none of them
 * (they are optional peer dependencies): the app passes the module it installed, and the adapter
 * reads what the SDK needs. Each parameter type is the small part of that library's API used here,
 * so the real module fits it as is.
 */
import type { DeviceFacts, PushPermissionSource } from './device-info.js';

/** The parts of `expo-device` the SDK reads. */
export interface ExpoDeviceModule {
  modelName: string | null;
  modelId?: unknown;
  manufacturer: string | null;
}

/** The parts of `expo-application` the SDK reads. */
export interface ExpoApplicationModule {
  nativeApplicationVersion: string | null;
}

/**
 * Model, manufacturer and app version from `expo-device` and `expo-application`.
 * @example
 * import * as Device from 'expo-device';
 * import * as Application from 'expo-application';
 * Roster.initialize({ siteId, apiKey, storage: AsyncStorage, deviceFacts: fromExpo(Device, Application) });
 */
export function fromExpo(device?: ExpoDeviceModule, application?: ExpoApplicationModule): () => DeviceFacts {
  return () => ({
    ...(device?.modelName ? { deviceModel: device.modelName } : {}),
    ...(device?.manufacturer ? { deviceManufacturer: device.manufacturer } : {}),
    ...(application?.nativeApplicationVersion ? { appVersion: application.nativeApplicationVersion } : {}),
  });
}

/** The parts of `react-native-device-info`'s default export the SDK reads. */
export interface DeviceInfoModule {
  getModel(): string;
  getManufacturerSync(): string;
  getVersion(): string;
}

/**
 * Model, manufacturer and app version from `react-native-device-info`.
 * @example
 * import DeviceInfo from 'react-native-device-info';
 * Roster.initialize({ siteId, apiKey, storage: AsyncStorage, deviceFacts: fromDeviceInfo(DeviceInfo) });
 */
export function fromDeviceInfo(info: DeviceInfoModule): () => DeviceFacts {
  const safe = (read: () => string): string | undefined => {
    try {
      const v = read();
      return v && v !== 'unknown' ? v : undefined;
    } catch {
      return undefined;
    }
  };
  return () => {
    const model = safe(() => info.getModel());
    const manufacturer = safe(() => info.getManufacturerSync());
    const version = safe(() => info.getVersion());
    return {
      ...(model ? { deviceModel: model } : {}),
      ...(manufacturer ? { deviceManufacturer: manufacturer } : {}),
      ...(version ? { appVersion: version } : {}),
    };
  };
}

/** The part of `expo-notifications`' permission API the SDK reads. */
export interface ExpoPermissionsModule {
  getPermissionsAsync(): Promise<{ granted: boolean; ios?: { status?: number } | null }>;
}

/**
 * `push_enabled` from `expo-notifications`: true when notifications may be shown (granted, or
 * provisional/ephemeral on iOS, which still deliver).
 * @example
 * import * as Notifications from 'expo-notifications';
 * Roster.initialize({ siteId, apiKey, storage: AsyncStorage, pushPermission: expoPushPermission(Notifications) });
 */
export function expoPushPermission(notifications: ExpoPermissionsModule): PushPermissionSource {
  return {
    async isEnabled() {
      const p = await notifications.getPermissionsAsync();
      // expo-notifications' IosAuthorizationStatus: 2 AUTHORIZED, 3 PROVISIONAL, 4 EPHEMERAL.
      const ios = p.ios?.status;
      return p.granted || ios === 2 || ios === 3 || ios === 4;
    },
  };
}

/** The part of a `@react-native-firebase/messaging` instance (`messaging()`) the SDK reads. */
export interface FirebasePermissionsModule {
  hasPermission(): Promise<number>;
}

/**
 * `push_enabled` from `@react-native-firebase/messaging`: AUTHORIZED (1), PROVISIONAL (2) and
 * EPHEMERAL (3) count as enabled; NOT_DETERMINED (-1) and DENIED (0) do not.
 * @example
 * import messaging from '@react-native-firebase/messaging';
 * Roster.initialize({ siteId, apiKey, storage: AsyncStorage, pushPermission: firebasePushPermission(messaging()) });
 */
export function firebasePushPermission(messaging: FirebasePermissionsModule): PushPermissionSource {
  return { isEnabled: async () => (await messaging.hasPermission()) >= 1 };
}
