/// <reference types="node" />
/**
 * Node entry: file storage in `storageDir`, `unref()`ed timers, a flush on `beforeExit`.
 * @example
 * import { createRoster } from '@roster/sdk/node';
 * const roster = createRoster({ siteId, apiKey, trackingApiUrl: 'http://localhost:8080', storageDir: './.roster' });
 * await roster.identify('u1', { first_name: 'Ada' });
 * await roster.shutdown();
 */
import { join } from 'node:path';
import { RosterClient, type PlatformDeps } from '../core/client.js';
import type { RosterConfig } from '../core/config.js';
import { createSingleton, type RosterSingleton } from '../core/singleton.js';
import type { Lifecycle, Timers, Transport } from '../core/platform.js';
import { nodeDeviceInfo } from './device-info.js';
import { createFileStorage } from './file-storage.js';

export * from '../core/index.js';
export { createFileStorage } from './file-storage.js';
export { nodeDeviceInfo } from './device-info.js';

export interface NodeRosterConfig extends RosterConfig {
  /** Where the queue file lives when no `storage` is given (default `./.roster`). */
  storageDir?: string;
  /** Defaults to `globalThis.fetch`. */
  transport?: Transport;
  /** Tests: inject a clock/timers (e.g. `FakeClock` from `@roster/sdk/testing`). */
  clock?: PlatformDeps['clock'];
  timers?: Timers;
  /** Flush when the event loop empties (default true). */
  flushOnExit?: boolean;
}

/** Timers that never keep the process alive: a CLI exits when its own work is done. */
const unrefTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle: unknown = setTimeout(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** `beforeExit` fires again after async work it started; flush once per quiet period. */
function exitLifecycle(): Lifecycle {
  return {
    subscribe(onBackground) {
      let flushing = false;
      const handler = () => {
        if (flushing) return;
        flushing = true;
        onBackground();
      };
      process.on('beforeExit', handler);
      return () => void process.off('beforeExit', handler);
    },
  };
}

/**
 * An independent, initialized client.
 * @example
 * const roster = createRoster({ siteId: 'site', apiKey: 'key', trackingApiUrl: 'http://127.0.0.1:8080', storageDir });
 */
export function createRoster(config: NodeRosterConfig): RosterClient {
  const { storageDir, transport, clock, timers, flushOnExit, ...rest } = config;
  return new RosterClient(rest, {
    transport: transport ?? ((url, init) => fetch(url, init)),
    storage: config.storage ?? createFileStorage(storageDir ?? join(process.cwd(), '.roster')),
    platform: 'node',
    setUserAgent: true,
    deviceInfo: nodeDeviceInfo,
    timers: timers ?? unrefTimers,
    ...(clock ? { clock } : {}),
    ...(flushOnExit === false ? {} : { lifecycle: exitLifecycle() }),
  });
}

/**
 * The ready singleton: `Roster.initialize(config)`, then `Roster.identify(…)`. Calls made before
 * initialize are replayed.
 */
export const Roster: RosterSingleton<NodeRosterConfig> = createSingleton<NodeRosterConfig>((config) =>
  createRoster(config),
);
