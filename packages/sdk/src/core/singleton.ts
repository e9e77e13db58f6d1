import { identifyCall, type Call, type PushMetric } from './calls.js';
import type { RosterClient, RosterState } from './client.js';
import type { RosterConfig } from './config.js';
import type { FlushOptions, FlushResult } from './deliverer.js';
import type { Listener, RosterEventName } from './events.js';

/**
 * The `Roster` singleton: the client's methods plus `initialize()`. `C` is the platform's own config
 * type (`NodeRosterConfig`, `BrowserRosterConfig`, `ReactNativeRosterConfig`), so each platform's
 * options (`storageDir`, `appState`, a required `storage`, …) are checked by the compiler.
 */
export interface RosterSingleton<C extends RosterConfig = RosterConfig> extends Pick<
  RosterClient,
  | 'identify'
  | 'clearIdentify'
  | 'setProfileAttributes'
  | 'setDeviceAttributes'
  | 'registerDeviceToken'
  | 'deleteDeviceToken'
  | 'track'
  | 'screen'
  | 'page'
  | 'trackMetric'
  | 'flush'
  | 'shutdown'
  | 'getState'
  | 'on'
> {
  /** Creates the client and replays calls made before it. A second call is ignored (logged). */
  initialize(config: C): void;
  readonly isInitialized: boolean;
  /** The underlying client, once initialized. */
  readonly client: RosterClient | undefined;
}

/**
 * Builds a singleton over a platform's `createRoster`. Calls before `initialize()` are kept in
 * memory (bounded by `maxPendingCalls` of the later config, at most 1000 until then) with their
 * call time and replayed in order — the classic SDKs dropped them. Listeners added early are kept.
 */
export function createSingleton<C extends RosterConfig = RosterConfig>(
  create: (config: C) => RosterClient,
): RosterSingleton<C> {
  let client: RosterClient | undefined;
  let pending: Array<{ call: Call; at: number }> = [];
  const early: Array<(c: RosterClient) => void> = [];
  const PRE_INIT_LIMIT = 1_000;

  const call = (c: Call): Promise<void> => {
    if (client) return client.apply(c);
    // Newest calls beyond the bound are dropped: the earliest ones (often identify) matter most.
    if (pending.length < PRE_INIT_LIMIT) pending.push({ call: c, at: Date.now() });
    return Promise.resolve();
  };

  return {
    get isInitialized() {
      return client !== undefined;
    },
    get client() {
      return client;
    },
    initialize(config) {
      if (client) {
        console.error('[roster] initialize() called twice; ignored');
        return;
      }
      client = create(config);
      for (const fn of early.splice(0)) fn(client);
      const replay = pending.slice(0, config.maxPendingCalls ?? PRE_INIT_LIMIT);
      pending = [];
      for (const p of replay) void client.apply(p.call, p.at);
    },
    identify: (identifier, body, options) => call(identifyCall(identifier, body, options)),
    clearIdentify: () => call({ method: 'clearIdentify' }),
    setProfileAttributes: (attributes) => call({ method: 'setProfileAttributes', attributes }),
    setDeviceAttributes: (attributes) => call({ method: 'setDeviceAttributes', attributes }),
    registerDeviceToken: (token) => call({ method: 'registerDeviceToken', token: String(token ?? '') }),
    deleteDeviceToken: () => call({ method: 'deleteDeviceToken' }),
    track: (name, data) => call({ method: 'track', name: String(name ?? ''), ...(data ? { data } : {}) }),
    screen: (name, data) => call({ method: 'screen', name: String(name ?? ''), ...(data ? { data } : {}) }),
    page: (name, data) => call({ method: 'page', name: String(name ?? ''), ...(data ? { data } : {}) }),
    trackMetric: (metric: PushMetric) => call({ method: 'trackMetric', metric }),
    flush: (opts?: FlushOptions): Promise<FlushResult> =>
      client
        ? client.flush(opts)
        : Promise.resolve({ sent: 0, left: pending.length, dropped: 0, pausedUntil: null }),
    shutdown: (opts) =>
      client
        ? client.shutdown(opts)
        : Promise.resolve({ sent: 0, left: pending.length, dropped: 0, pausedUntil: null }),
    getState: (): Promise<RosterState> =>
      client
        ? client.getState()
        : Promise.resolve({
            identifier: null,
            anonymousId: '',
            token: null,
            deviceAttributes: {},
            queueLength: 0,
            pausedUntil: null,
            retryAt: null,
          }),
    on<K extends RosterEventName>(event: K, listener: Listener<K>) {
      if (client) return client.on(event, listener);
      let off: (() => void) | undefined;
      let cancelled = false;
      early.push((c) => {
        if (!cancelled) off = c.on(event, listener);
      });
      return () => {
        cancelled = true;
        off?.();
      };
    },
  };
}
