import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/store.js';
import { ApnsProvider } from './apns-provider.js';
import { FcmProvider } from './fcm-provider.js';
import type { PushProvider } from './provider-types.js';
import { ANY_PROVIDER_HOST, type ProviderHostPolicy } from './provider-hosts.js';
import type { ApnsConfig } from './apns-provider.js';
import type { FcmConfig } from './fcm-provider.js';
import { LogProvider, type LogConfig, type PushLog } from './log-provider.js';
import { listPushProviders, type ProviderRow } from '../../store/messaging/push-providers.js';

/** What a workspace's credentials for each kind of provider hold. */
export type ProviderSettings =
  | { kind: 'apns'; config: ApnsConfig }
  | { kind: 'fcm'; config: FcmConfig }
  | { kind: 'log'; config: LogConfig };

export type ProviderFactory = (settings: ProviderSettings, clock: Clock, log?: PushLog) => PushProvider;

export const defaultProviderFactory: ProviderFactory = (s, clock, log) =>
  s.kind === 'apns'
    ? new ApnsProvider(s.config, clock)
    : s.kind === 'fcm'
      ? new FcmProvider(s.config, clock)
      : new LogProvider(s.config, log);

/** The URLs a provider's settings make Roster call (defaults included). */
export function providerTargets(s: ProviderSettings): Array<{ field: string; url: string }> {
  if (s.kind === 'apns')
    return [
      {
        field: 'host',
        url:
          s.config.origin ??
          (s.config.production ? 'https://api.push.apple.com' : 'https://api.sandbox.push.apple.com'),
      },
    ];
  if (s.kind === 'fcm')
    return [
      { field: 'endpoint', url: s.config.endpoint ?? 'https://fcm.googleapis.com' },
      { field: 'token_uri', url: s.config.serviceAccount.token_uri ?? 'https://oauth2.googleapis.com/token' },
    ];
  return [];
}

/** A provider whose stored settings name a host the operator does not allow: every send fails. */
class RefusedProvider implements PushProvider {
  constructor(
    readonly kind: 'apns' | 'fcm',
    private readonly reason: string,
  ) {}
  send(): Promise<{ kind: 'failed'; reason: string }> {
    return Promise.resolve({ kind: 'failed', reason: this.reason });
  }
  async close(): Promise<void> {}
}

export interface ResolvedProvider {
  provider: PushProvider;
  /** Rate-limit key: one bucket per workspace + credentials. */
  key: string;
}

/** How long a process trusts its copy of a workspace's credentials before re-reading them. */
const CONFIG_TTL_MS = 30_000;

/**
 * Picks the provider for a device and keeps one live client per credentials row (an APNs HTTP/2
 * connection and token, an FCM OAuth token), rebuilt when the row changes.
 * iOS: APNs for the device's app, then the default APNs, then FCM (which relays to APNs);
 * Android: FCM for the app, then the default FCM (docs/messaging.md "Providers and their
 * configuration"). The development `log` provider comes last for every platform: real credentials,
 * when configured, take precedence.
 */
export class ProviderRegistry {
  private readonly rows = new Map<number, { at: number; rows: Array<ProviderRow<ProviderSettings>> }>();
  private readonly live = new Map<number, { version: string; provider: PushProvider }>();
  private log: PushLog | undefined;
  /** Each cached row's fingerprint, computed once per read of the rows. */
  private readonly versions = new WeakMap<object, string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly factory: ProviderFactory = defaultProviderFactory,
    private readonly hosts: ProviderHostPolicy = ANY_PROVIDER_HOST,
  ) {}

  /** Which hosts provider settings may name (checked when they are saved, and again here). */
  get hostPolicy(): ProviderHostPolicy {
    return this.hosts;
  }

  async resolve(
    workspaceId: number,
    platform: string,
    appIdentifier: string,
  ): Promise<ResolvedProvider | null> {
    const rows = await this.rowsOf(workspaceId);
    const find = (kind: string, app: string) =>
      rows.find((r) => r.settings.kind === kind && r.appIdentifier === app);
    const order: Array<[string, string]> =
      platform === 'ios'
        ? [
            ['apns', appIdentifier],
            ['apns', ''],
            ['fcm', appIdentifier],
            ['fcm', ''],
            ['log', ''],
          ]
        : [
            ['fcm', appIdentifier],
            ['fcm', ''],
            ['log', ''],
          ];
    for (const [kind, app] of order) {
      const row = find(kind, app);
      if (row) return { provider: this.providerFor(row), key: `${workspaceId}:${row.id}` };
    }
    return null;
  }

  /** Where the development `log` provider writes the pushes it accepts (`roster serve`: its logger). */
  setLog(log: PushLog | undefined): void {
    this.log = log;
  }

  /** Forget cached credentials (after a config write in this process). */
  invalidate(workspaceId: number): void {
    this.rows.delete(workspaceId);
  }

  async close(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((l) => l.provider.close()));
  }

  private async rowsOf(workspaceId: number): Promise<Array<ProviderRow<ProviderSettings>>> {
    const cached = this.rows.get(workspaceId);
    if (cached && this.clock.now() - cached.at < CONFIG_TTL_MS) return cached.rows;
    const rows = await listPushProviders<ProviderSettings>(this.store.db, workspaceId);
    this.rows.set(workspaceId, { at: this.clock.now(), rows });
    return rows;
  }

  private providerFor(row: ProviderRow<ProviderSettings>): PushProvider {
    // updated_at has a one-second grain: two saves within a second differ only in their settings.
    let version = this.versions.get(row);
    if (version === undefined) {
      version = `${row.updatedAt}:${JSON.stringify(row.settings)}`;
      this.versions.set(row, version);
    }
    const live = this.live.get(row.id);
    if (live && live.version === version) return live.provider;
    if (live) void live.provider.close();
    const refused = providerTargets(row.settings)
      .map((t) => {
        const why = this.hosts.refuse(t.url);
        return why ? `${t.field}: ${why}` : undefined;
      })
      .find(Boolean);
    const provider =
      refused && row.settings.kind !== 'log'
        ? new RefusedProvider(row.settings.kind, `push provider settings refused (${refused})`)
        : this.factory(row.settings, this.clock, this.log);
    this.live.set(row.id, { version, provider });
    return provider;
  }
}
