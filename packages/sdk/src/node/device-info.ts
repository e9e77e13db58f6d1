/// <reference types="node" />
import os from 'node:os';
import type { DeviceInfo } from '../core/platform.js';

/** Device facts for a Node process: OS release, machine type, locale and timezone from `Intl`. */
export function nodeDeviceInfo(): DeviceInfo {
  const intl = Intl.DateTimeFormat().resolvedOptions();
  return {
    platform: 'node',
    deviceOs: `${os.platform()} ${os.release()}`,
    deviceModel: `${os.type()} ${os.arch()}`,
    locale: intl.locale,
    timezone: intl.timeZone,
    // A server process has no push permission prompt.
    pushEnabled: false,
    extra: { node_version: process.versions.node },
  };
}
