/**
 * Browser entry: localStorage, `fetch`, and a keepalive flush on `pagehide` / hidden visibility.
 * The site API key ships to every visitor: it can only write tracking data (see README).
 * @example
 * import { Roster } from '@roster/sdk/browser';
 * Roster.initialize({ siteId, apiKey, trackingApiUrl: 'https://roster.example.com' });
 * Roster.identify('u1', { first_name: 'Ada' });
 */
import { RosterClient, type PlatformDeps } from '../core/client.js';
import type { RosterConfig } from '../core/config.js';
import type { Lifecycle, Transport } from '../core/platform.js';
import { createSingleton, type RosterSingleton } from '../core/singleton.js';
import { browserDeviceInfo } from './device-info.js';
import { createLocalStorage } from './local-storage.js';

export * from '../core/index.js';
export { createLocalStorage } from './local-storage.js';
export { browserDeviceInfo } from './device-info.js';

export interface BrowserRosterConfig extends RosterConfig {
  /** Defaults to `globalThis.fetch`. */
  transport?: Transport;
  clock?: PlatformDeps['clock'];
  timers?: PlatformDeps['timers'];
}

/** The page may be discarded after these: flush with keepalive (bodies ≤ 64 KB). */
function pageLifecycle(): Lifecycle {
  return {
    subscribe(onBackground) {
      // Absent outside a window (a worker, a server-side render): hence optional.
      const target: Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>> = globalThis;
      const doc = (globalThis as { document?: Document }).document;
      const onHide = () => onBackground();
      const onVisibility = () => doc?.visibilityState === 'hidden' && onBackground();
      target.addEventListener?.('pagehide', onHide);
      doc?.addEventListener('visibilitychange', onVisibility);
      return () => {
        target.removeEventListener?.('pagehide', onHide);
        doc?.removeEventListener('visibilitychange', onVisibility);
      };
    },
  };
}

/** An independent, initialized client. */
export function createRoster(config: BrowserRosterConfig): RosterClient {
  const { transport, clock, timers, ...rest } = config;
  return new RosterClient(rest, {
    // Bound call: a detached `fetch` throws "Illegal invocation" in browsers.
    transport: transport ?? ((url, init) => globalThis.fetch(url, init)),
    storage: config.storage ?? createLocalStorage(),
    platform: 'web',
    // Browsers forbid setting User-Agent; X-Roster-Client carries the SDK name and version.
    setUserAgent: false,
    deviceInfo: browserDeviceInfo,
    lifecycle: pageLifecycle(),
    ...(clock ? { clock } : {}),
    ...(timers ? { timers } : {}),
  });
}

/** The ready singleton: `Roster.initialize(config)`, then `Roster.identify(…)`. */
export const Roster: RosterSingleton<BrowserRosterConfig> = createSingleton<BrowserRosterConfig>((config) =>
  createRoster(config),
);
