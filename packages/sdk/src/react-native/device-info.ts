import type { DeviceInfo } from '../core/platform.js';

/** The part of React Native's `Platform` the SDK reads. */
export interface PlatformLike {
  OS: string;
  Version: string | number;
  /** Android: `Release`, `Model`, `Manufacturer`; iOS: `osVersion`, `interfaceIdiom`. */
  constants?: Record<string, unknown>;
}

/**
 * Facts an adapter adds from a device-info library (`fromExpo`, `fromDeviceInfo`) or from the app
 * itself. Read at launch and on every foreground; keep it cheap.
 */
export type DeviceFacts = Pick<DeviceInfo, 'deviceModel' | 'deviceManufacturer' | 'appVersion' | 'extra'>;

/** Where `push_enabled` comes from: `expoPushPermission(Notifications)`, `firebasePushPermission(messaging())`, or your own. */
export interface PushPermissionSource {
  /** True when the app may show notifications now. */
  isEnabled(): Promise<boolean> | boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The automatic device facts on React Native: `platform` and `device_os` from `Platform`,
 * `device_locale` and `timezone` from `Intl`, model and manufacturer from `Platform.constants`
 * where React Native has them (Android), then the adapter's facts and the permission source's
 * `push_enabled`. `device_os` is the OS version as a string on both platforms (Android's API level
 * goes to `android_api_level`), so one segment condition works for both.
 */
export async function reactNativeDeviceInfo(
  platform: PlatformLike,
  facts?: () => DeviceFacts | Promise<DeviceFacts>,
  permission?: PushPermissionSource,
): Promise<DeviceInfo> {
  const c = platform.constants ?? {};
  const intl = Intl.DateTimeFormat().resolvedOptions();
  const android = platform.OS === 'android';
  const base: DeviceInfo = {
    platform: platform.OS,
    deviceOs: android ? (str(c.Release) ?? String(platform.Version)) : String(platform.Version),
    locale: intl.locale,
    timezone: intl.timeZone,
    ...(android && str(c.Model) ? { deviceModel: str(c.Model) } : {}),
    ...(android && str(c.Manufacturer) ? { deviceManufacturer: str(c.Manufacturer) } : {}),
    ...(platform.OS === 'ios' ? { deviceManufacturer: 'Apple' } : {}),
    ...(android && typeof platform.Version === 'number'
      ? { extra: { android_api_level: platform.Version } }
      : {}),
  };
  const [added, pushEnabled] = await Promise.all([
    facts ? Promise.resolve(facts()).catch(() => ({}) as DeviceFacts) : ({} as DeviceFacts),
    permission ? Promise.resolve(permission.isEnabled()).catch(() => undefined) : undefined,
  ]);
  return {
    ...base,
    ...stripUndefined(added),
    extra: { ...base.extra, ...added.extra },
    ...(pushEnabled !== undefined ? { pushEnabled } : {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
