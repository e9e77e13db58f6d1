/**
 * A React Native test environment for Vitest that runs the real `react-native` package's JavaScript
 * (its `Platform`, `AppState`, `NativeEventEmitter`, `TurboModuleRegistry`), the way React Native's
 * Jest preset does: Flow types stripped and ES modules turned into CommonJS on load, and
 * platform-specific files (`Platform.ios.js` / `Platform.android.js`) resolved first, like Metro. Only
 * the native side is stood in for (what `NativePlatformConstants*` and `NativeAppState` answer, and
 * the events the OS would emit), since no iOS or Android runtime exists here.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { vi } from 'vitest';

const require = createRequire(import.meta.url);

type RnPlatform = 'ios' | 'android';

interface NodeModuleInternals {
  _resolveFilename(request: string, parent: { filename?: string } | undefined, ...rest: unknown[]): string;
  _extensions: Record<string, (module: { _compile(code: string, file: string): void }, file: string) => void>;
}

const Module = require('node:module') as NodeModuleInternals;
const flowRemoveTypes = require('flow-remove-types') as (
  src: string,
  o: { all: boolean },
) => { toString(): string };
const esbuild = require('esbuild') as {
  transformSync(code: string, o: Record<string, unknown>): { code: string };
};

const rnRoot = path.dirname(require.resolve('react-native/package.json'));
const isRnFile = (file: string) =>
  file.startsWith(rnRoot + path.sep) || file.includes(`${path.sep}@react-native${path.sep}`);

let current: RnPlatform | undefined;
let installed = false;

/** What the native side answers, per platform (values of a Pixel 8 on Android 14 and an iPhone on iOS 17.4). */
function nativeModules(platform: RnPlatform): Record<string, unknown> {
  const rnVersion = { major: 0, minor: 86, patch: 3, prerelease: null };
  return {
    PlatformConstants:
      platform === 'ios'
        ? {
            getConstants: () => ({
              osVersion: '17.4',
              systemName: 'iOS',
              interfaceIdiom: 'phone',
              isTesting: true,
              forceTouchAvailable: false,
              reactNativeVersion: rnVersion,
            }),
          }
        : {
            getConstants: () => ({
              Version: 34,
              Release: '14',
              Model: 'Pixel 8',
              Manufacturer: 'Google',
              Brand: 'google',
              Serial: 'unknown',
              Fingerprint: 'test',
              uiMode: 'normal',
              isTesting: true,
              reactNativeVersion: rnVersion,
            }),
          },
    AppState: {
      getConstants: () => ({ initialAppState: 'active' }),
      getCurrentAppState: (ok: (s: { app_state: string }) => void) => ok({ app_state: 'active' }),
      addListener: () => {},
      removeListeners: () => {},
    },
  };
}

function install(): void {
  if (installed) return;
  installed = true;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if (parent?.filename && isRnFile(parent.filename) && request.startsWith('.')) {
      const base = path.resolve(path.dirname(parent.filename), request);
      for (const ext of [`.${current}.js`, '.native.js', '.js'])
        if (existsSync(base + ext)) return base + ext;
    }
    return resolve.call(this, request, parent, ...rest);
  };
  const loadJs = Module._extensions['.js']!;
  Module._extensions['.js'] = (module, file) => {
    if (!isRnFile(file)) return loadJs(module, file);
    const stripped = flowRemoveTypes(readFileSync(file, 'utf8'), { all: true }).toString();
    const cjs = esbuild.transformSync(stripped, {
      format: 'cjs',
      loader: 'js',
      target: 'node20',
      sourcefile: file,
    });
    module._compile(cjs.code, file);
  };
}

/** The real `react-native` module for `platform`, with a fresh module registry (so a second platform reloads). */
export function loadReactNative(platform: RnPlatform = 'ios'): typeof import('react-native') {
  install();
  for (const key of Object.keys(require.cache)) if (isRnFile(key)) delete require.cache[key];
  current = platform;
  const natives = nativeModules(platform);
  const g = globalThis as Record<string, unknown>;
  g.__DEV__ = false;
  g.__fbBatchedBridgeConfig = { remoteModuleConfig: [] };
  g.__turboModuleProxy = (name: string) => natives[name] ?? null;
  return require('react-native') as typeof import('react-native');
}

/** What the OS does when the app moves: the native event the real `AppState` listens to. */
export function emitAppState(state: 'active' | 'background' | 'inactive'): void {
  const emitter = require('react-native/Libraries/EventEmitter/RCTDeviceEventEmitter') as {
    default: { emit(event: string, payload: unknown): void };
  };
  emitter.default.emit('appStateDidChange', { app_state: state });
}

/** The real `@react-native-async-storage/async-storage` Jest mock (an in-memory AsyncStorage). */
export function asyncStorageMock(): {
  getItem(k: string): Promise<string | null>;
  setItem(k: string, v: string): Promise<void>;
  removeItem(k: string): Promise<void>;
  clear(): Promise<void>;
} {
  (globalThis as Record<string, unknown>).jest ??= { fn: vi.fn };
  const mod = require('@react-native-async-storage/async-storage/jest/async-storage-mock') as {
    default?: ReturnType<typeof asyncStorageMock>;
  };
  return (mod.default ?? mod) as ReturnType<typeof asyncStorageMock>;
}
