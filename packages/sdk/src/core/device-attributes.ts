import type { JsonObject } from './json.js';
import type { DeviceInfo } from './platform.js';
import { SDK_VERSION } from './version.js';

/**
 * The automatic device attributes (packages/sdk/README.md "Configuration"), from platform facts.
 * Keys match the classic SDKs so existing segments keep working; `timezone` is new (the classic
 * SDKs left it to apps). `push_enabled` is a boolean on every platform (the classic iOS SDK sent
 * the string "true").
 */
export function automaticDeviceAttributes(info: DeviceInfo): JsonObject {
  const attrs: JsonObject = { cio_sdk_version: SDK_VERSION };
  if (info.platform !== undefined) attrs.platform = info.platform;
  if (info.deviceOs !== undefined) attrs.device_os = info.deviceOs;
  if (info.deviceModel !== undefined) attrs.device_model = info.deviceModel;
  if (info.deviceManufacturer !== undefined) attrs.device_manufacturer = info.deviceManufacturer;
  if (info.appVersion !== undefined) attrs.app_version = info.appVersion;
  if (info.locale !== undefined) attrs.device_locale = info.locale;
  if (info.timezone !== undefined) attrs.timezone = info.timezone;
  if (info.pushEnabled !== undefined) attrs.push_enabled = info.pushEnabled;
  return { ...attrs, ...info.extra };
}

/** Automatic ⊕ custom: custom keys win, as in both classic SDKs (`defaults + custom`). */
export function deviceAttributes(info: DeviceInfo, custom: JsonObject, automatic: boolean): JsonObject {
  return automatic ? { ...automaticDeviceAttributes(info), ...custom } : { ...custom };
}
