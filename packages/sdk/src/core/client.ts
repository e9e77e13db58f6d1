import { identifyCall, type Call, type IdentifyOptions, type PushMetric } from './calls.js';
import { resolveConfig, type ResolvedConfig, type RosterConfig } from './config.js';
import { Deliverer, type FlushOptions, type FlushResult } from './deliverer.js';
import { Emitter, type Listener, type RosterEventName } from './events.js';
import { requestHeaders } from './http.js';
import { createLogger, type Logger } from './logger.js';
import type {
  Clock,
  DeviceInfo,
  DeviceInfoSource,
  Lifecycle,
  StorageAdapter,
  Timers,
  Transport,
} from './platform.js';
import { plan } from './planner.js';
import { enqueueBounded } from './queue-bounds.js';
import { SerialActor } from './serial-actor.js';
import { emptyState, encodeState, parseState, storageKey, type PersistedState } from './state.js';
import { refOf } from './task.js';
import { createUlid, defaultRandomSource, type RandomSource } from './ulid.js';
import { MAX_ITEM_BYTES } from './wire.js';

/** What a platform shell (or a test) provides. */
export interface PlatformDeps {
  transport: Transport;
  storage: StorageAdapter;
  /** `device.platform` default and the User-Agent platform, e.g. `node`, `web`. */
  platform: string;
  /** False in browsers, which forbid setting User-Agent. */
  setUserAgent: boolean;
  clock?: Clock;
  timers?: Timers;
  lifecycle?: Lifecycle;
  /** Fallback when `globalThis.crypto.getRandomValues` is missing (React Native without a polyfill). */
  randomSource?: RandomSource;
  /** Jitter source; `Math.random` by default. */
  random?: () => number;
  /** Platform facts; `config.deviceInfo` fields override them. */
  deviceInfo?: DeviceInfoSource;
}

/** A debugging snapshot: who is identified, the token, and how the queue is doing. */
export interface RosterState {
  identifier: string | null;
  anonymousId: string;
  token: string | null;
  deviceAttributes: Record<string, unknown>;
  queueLength: number;
  /** Set while a 401 pause is in force (ms epoch). */
  pausedUntil: number | null;
  /** Next automatic retry after a failure (ms epoch). */
  retryAt: number | null;
}

/**
 * One Roster client: the public methods of the classic Customer.io SDKs over a durable queue.
 * Every tracking method resolves once the call is durably queued and never rejects: problems are
 * `error`/`dropped` events. Build one with `createRoster()` from a platform entry point.
 */
export class RosterClient {
  private readonly config: ResolvedConfig;
  private readonly emitter = new Emitter();
  private readonly logger: Logger;
  private readonly actor: SerialActor<PersistedState>;
  private readonly deliverer: Deliverer;
  private readonly clock: Clock;
  private readonly nextId: () => string;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    config: RosterConfig,
    private readonly deps: PlatformDeps,
  ) {
    this.config = resolveConfig(config);
    this.logger = createLogger(this.config.logLevel, this.config.logger);
    this.clock = deps.clock ?? { now: () => Date.now() };
    const timers = deps.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as never),
    };
    this.nextId = createUlid(() => this.clock.now(), this.randomSource());
    const key = storageKey(config.siteId);
    let loaded: Promise<PersistedState> | undefined;
    this.actor = new SerialActor(
      () => (loaded ??= this.load(key)),
      (state) => Promise.resolve(deps.storage.setItem(key, encodeState(state))),
    );
    this.deliverer = new Deliverer({
      config: this.config,
      actor: this.actor,
      transport: deps.transport,
      headers: requestHeaders({ ...config, platform: deps.platform, setUserAgent: deps.setUserAgent }),
      clock: this.clock,
      timers,
      random: deps.random ?? Math.random,
      emitter: this.emitter,
      logger: this.logger,
    });
    this.unsubscribe =
      deps.lifecycle?.subscribe(
        () => void this.flush({ keepalive: true }),
        () => this.foreground(),
      ) ?? (() => {});
    // Refresh last_used/device attributes at launch, and deliver anything left from the last run.
    void this.apply({ method: 'launch' });
    void this.actor
      .run((s) => s.queue.length, false)
      .then((left) => {
        if (left > 0 && !this.closed) void this.deliverer.flush({ automatic: true });
      });
  }

  /**
   * Identifies a person (trimmed; blank is refused with an `error` event). Switching people sends
   * delete_device(old) → identify(new) → add_device(new), in that order.
   * @example
   * await roster.identify('u1', { first_name: 'Ada', email: 'ada@example.com' });
   * // Workspaces that require signed identify: the signature your backend issued for 'u1'.
   * await roster.identify('u1', {}, { signature: tokenFromYourBackend });
   */
  identify(identifier: string, body?: Record<string, unknown>, options?: IdentifyOptions): Promise<void> {
    return this.apply(identifyCall(identifier, body, options));
  }

  /** Detaches the device from the person, forgets them, keeps the token, starts a new anonymous id. */
  clearIdentify(): Promise<void> {
    return this.apply({ method: 'clearIdentify' });
  }

  /** Updates only the given profile keys. Before identify, they are sent with the next identify. */
  setProfileAttributes(attributes: Record<string, unknown>): Promise<void> {
    return this.apply({ method: 'setProfileAttributes', attributes });
  }

  /** Custom device attributes (nested JSON allowed), kept on the device and sent with every registration. */
  setDeviceAttributes(attributes: Record<string, unknown>): Promise<void> {
    return this.apply({ method: 'setDeviceAttributes', attributes });
  }

  /**
   * Stores the push token and registers it to the current person (or the next one identified).
   * @example
   * await roster.registerDeviceToken(fcmToken);
   */
  registerDeviceToken(token: string): Promise<void> {
    return this.apply({ method: 'registerDeviceToken', token: String(token ?? '') });
  }

  /** Removes the token from the person and forgets it locally. */
  deleteDeviceToken(): Promise<void> {
    return this.apply({ method: 'deleteDeviceToken' });
  }

  /**
   * Tracks an event; before identify it is kept under the anonymous id and merged on identify.
   * @example
   * await roster.track('purchase', { total: 42 });
   */
  track(name: string, data?: Record<string, unknown>): Promise<void> {
    return this.apply({ method: 'track', name: String(name ?? ''), ...(data ? { data } : {}) });
  }

  /** Tracks a screen view. */
  screen(name: string, data?: Record<string, unknown>): Promise<void> {
    return this.apply({ method: 'screen', name: String(name ?? ''), ...(data ? { data } : {}) });
  }

  /** Tracks a page view (name = URL or path). */
  page(name: string, data?: Record<string, unknown>): Promise<void> {
    return this.apply({ method: 'page', name: String(name ?? ''), ...(data ? { data } : {}) });
  }

  /** Push metric (`delivered`, `opened`, `converted`), sent as a v2 delivery op. */
  trackMetric(metric: PushMetric): Promise<void> {
    return this.apply({ method: 'trackMetric', metric });
  }

  /**
   * Tries to deliver everything now; resolves with what was sent, left and dropped. Never rejects.
   * @example
   * const { sent, left } = await roster.flush();
   */
  flush(opts: FlushOptions = {}): Promise<FlushResult> {
    return this.deliverer.flush(opts);
  }

  /** Flushes for at most `timeoutMs` (default 5 s), then stops timers and lifecycle hooks. */
  async shutdown(opts: { timeoutMs?: number } = {}): Promise<FlushResult> {
    this.closed = true;
    this.unsubscribe();
    const timeout = new Promise<undefined>((resolve) => {
      const h = (this.deps.timers ?? { setTimeout }).setTimeout(
        () => resolve(undefined),
        opts.timeoutMs ?? 5_000,
      );
      void h;
    });
    const result = await Promise.race([this.flush(), timeout]);
    this.deliverer.stop();
    const s = await this.getState();
    return result ?? { sent: 0, left: s.queueLength, dropped: 0, pausedUntil: s.pausedUntil };
  }

  /** Snapshot after every earlier call was applied. */
  getState(): Promise<RosterState> {
    return this.actor.run(
      (s) => ({
        identifier: s.identifier,
        anonymousId: s.anonymousId,
        token: s.token,
        deviceAttributes: s.deviceAttributes,
        queueLength: s.queue.length,
        pausedUntil: s.delivery.pausedUntil,
        retryAt: s.delivery.retryAt,
      }),
      false,
    );
  }

  /**
   * Subscribes to `queued`, `sent`, `dropped`, `error`, `paused`; returns an unsubscribe function.
   * @example
   * roster.on('dropped', (e) => console.warn(e.reason, e.ops.length));
   */
  on<K extends RosterEventName>(event: K, listener: Listener<K>): () => void {
    return this.emitter.on(event, listener);
  }

  /** @internal Applies a call as if made at `at` (used to replay calls made before initialize). */
  apply(call: Call, at?: number): Promise<void> {
    const done = this.actor.run(async (state) => {
      const now = at ?? this.clock.now();
      const device = call.method === 'track' || call.method === 'screen' ? {} : await this.deviceInfo();
      const p = plan(state, call, {
        now,
        nextId: this.nextId,
        device,
        autoDeviceAttributes: this.config.autoTrackDeviceAttributes,
        platform: this.deps.platform,
      });
      if ('error' in p) {
        this.logger.error(p.error.message);
        this.emitter.emit('error', p.error);
        return [];
      }
      return p.tasks.flatMap((task) => {
        if (task.bytes > MAX_ITEM_BYTES) {
          this.emitter.emit('dropped', { ops: [refOf(task)], reason: 'too_large' });
          return [];
        }
        const r = enqueueBounded(state.queue, task, {
          maxCount: this.config.maxQueueSize,
          maxBytes: this.config.maxQueueBytes,
        });
        if (r.evicted.length) this.emitter.emit('dropped', { ops: r.evicted.map(refOf), reason: 'evicted' });
        if (!r.accepted) this.emitter.emit('dropped', { ops: [refOf(task)], reason: 'queue_full' });
        return r.accepted ? [{ task, queueLength: state.queue.length }] : [];
      });
    });
    return done.then(
      (queued) => {
        for (const q of queued)
          this.emitter.emit('queued', { op: refOf(q.task), queueLength: q.queueLength });
        if (queued.length > 0) this.afterEnqueue();
      },
      (error: unknown) => {
        this.logger.error(`storage write failed: ${String(error)}`);
        this.emitter.emit('error', { code: 'storage', message: String(error) });
      },
    );
  }

  /** Back in the foreground: refresh device facts (sent only if changed) and retry what is queued. */
  private foreground(): void {
    if (this.closed) return;
    void this.apply({ method: 'launch' }).then(() =>
      this.actor
        .run((s) => s.queue.length, false)
        .then((left) => {
          // Not `automatic`: coming back is a sign the network may be back, so our own backoff
          // is skipped (a server's Retry-After still binds).
          if (left > 0 && !this.closed) void this.deliverer.flush();
        }),
    );
  }

  /** Threshold or timer: flush at `flushAt` ops, otherwise within `flushInterval`. */
  private afterEnqueue(): void {
    if (this.closed) return;
    void this.actor
      .run((s) => s.queue.length, false)
      .then((length) => {
        if (length === 0) return;
        if (length >= this.config.flushAt)
          void this.deliverer.flush({ automatic: true, minOps: this.config.flushAt });
        else this.deliverer.schedule(this.clock.now() + this.config.flushInterval);
      });
  }

  private async load(key: string): Promise<PersistedState> {
    try {
      const text = await this.deps.storage.getItem(key);
      const state = parseState(text);
      if (text && !state)
        this.emitter.emit('error', { code: 'storage', message: 'stored state unreadable; starting fresh' });
      return state ?? emptyState(this.nextId());
    } catch (error) {
      this.emitter.emit('error', { code: 'storage', message: `read failed: ${String(error)}` });
      return emptyState(this.nextId());
    }
  }

  /** Read at every registration so push_enabled, locale and app_version are current. */
  private async deviceInfo(): Promise<DeviceInfo> {
    const read = async (src: DeviceInfoSource | undefined): Promise<DeviceInfo> => {
      try {
        return (typeof src === 'function' ? await src() : src) ?? {};
      } catch {
        return {};
      }
    };
    const [platform, app] = [await read(this.deps.deviceInfo), await read(this.config.deviceInfo)];
    return { ...platform, ...app, extra: { ...platform.extra, ...app.extra } };
  }

  private randomSource(): RandomSource {
    const source = defaultRandomSource() ?? this.deps.randomSource;
    if (source) return source;
    this.logger.info('no crypto.getRandomValues and no randomSource: ULIDs use Math.random');
    return (bytes) => bytes.forEach((_, i) => (bytes[i] = Math.floor(Math.random() * 256)));
  }
}
