/**
 * What the core needs from a platform, as the smallest interfaces that work on Node, browsers and
 * React Native. Platform shells (src/node, src/browser, src/react-native) supply real ones;
 * src/testing supplies fakes.
 */
import type { JsonObject } from './json.js';

/** The subset of a fetch `Response` the SDK reads. */
export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The subset of `RequestInit` the SDK sets. */
export interface TransportRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  keepalive?: boolean;
  signal?: AbortSignal;
}

/** A `fetch`-like function; `globalThis.fetch` satisfies it. May throw on network errors. */
export type Transport = (url: string, init: TransportRequest) => Promise<TransportResponse>;

/**
 * Key/value storage; each method may be sync or async (localStorage, AsyncStorage, files).
 * The SDK stores one document per site id under one key and always rewrites it whole, so
 * `setItem` must replace the value atomically (localStorage and AsyncStorage do; the Node file
 * adapter writes a temp file and renames it).
 */
export interface StorageAdapter {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** Wall clock in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Timer functions; Node's shell `unref()`s them so the SDK never keeps a process alive. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Facts about the device for the automatic device attributes. Every field is optional; missing ones
 * are not sent. `platform` becomes `device.platform` (Customer.io documents `ios` | `android`).
 */
export interface DeviceInfo {
  platform?: string;
  deviceOs?: string;
  deviceModel?: string;
  deviceManufacturer?: string;
  appVersion?: string;
  locale?: string;
  timezone?: string;
  pushEnabled?: boolean;
  /** Extra automatic attributes a shell wants to add (custom device attributes still win). */
  extra?: JsonObject;
}

/** A fixed value, or a function read at every registration so `push_enabled` etc. stay fresh. */
export type DeviceInfoSource = DeviceInfo | (() => DeviceInfo | Promise<DeviceInfo>);

/**
 * App lifecycle hooks: a shell calls `onBackground` when the app/page is going away (the SDK
 * flushes) and `onForeground` when it comes back (the SDK re-reads device facts such as
 * `push_enabled`, queues a device update if they changed, and retries what is queued).
 */
export interface Lifecycle {
  /** Subscribes; returns an unsubscribe function. */
  subscribe(onBackground: () => void, onForeground?: () => void): () => void;
}
