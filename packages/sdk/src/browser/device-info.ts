import type { DeviceInfo } from '../core/platform.js';

/** Device facts from `navigator` and `Intl`; `push_enabled` from the Notification permission. */
export function browserDeviceInfo(): DeviceInfo {
  const nav = globalThis.navigator as Navigator | undefined;
  const intl = Intl.DateTimeFormat().resolvedOptions();
  const notification = (globalThis as { Notification?: { permission?: string } }).Notification;
  return {
    platform: 'web',
    ...(nav?.userAgent ? { deviceModel: nav.userAgent } : {}),
    ...(nav?.platform ? { deviceOs: nav.platform } : {}),
    locale: nav?.language ?? intl.locale,
    timezone: intl.timeZone,
    pushEnabled: notification?.permission === 'granted',
  };
}
