/**
 * Where push-provider settings may send Roster's requests (docs/messaging.md "Providers and their
 * configuration"). A workspace's App
 * key sets its provider's `endpoint` (FCM), `token_uri` (FCM OAuth) and `host` (APNs); left open,
 * that lets whoever holds an App key aim the server's POSTs at internal hosts. Only the real
 * providers' hosts are allowed (over https), unless the operator names more hosts with
 * `ROSTER_PUSH_PROVIDER_HOSTS` (a comma-separated list of host or host:port, or `*` for any) — for
 * a test provider, a relay or a proxy of their own.
 */
export const REAL_PROVIDER_HOSTS: readonly string[] = [
  'fcm.googleapis.com',
  'oauth2.googleapis.com',
  'api.push.apple.com',
  'api.sandbox.push.apple.com',
  'api.development.push.apple.com',
];

export const PROVIDER_HOSTS_SETTING = 'ROSTER_PUSH_PROVIDER_HOSTS';

export interface ProviderHostPolicy {
  /** Why `url` may not be called, or undefined when it may. */
  refuse(url: string): string | undefined;
}

/** Any host (the registry's default for in-process use; `roster serve` passes the operator's policy). */
export const ANY_PROVIDER_HOST: ProviderHostPolicy = { refuse: () => undefined };

/** The policy for `extra` hosts beyond the real providers' (`'*'`: any host). */
export function providerHostPolicy(extra: readonly string[] | '*'): ProviderHostPolicy {
  if (extra === '*') return ANY_PROVIDER_HOST;
  const allowed = new Set(extra.map((h) => h.trim().toLowerCase()).filter(Boolean));
  return {
    refuse(raw) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        return 'it is not a URL';
      }
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'it is not an http(s) URL';
      const host = u.hostname.toLowerCase();
      if (allowed.has(host) || allowed.has(u.host.toLowerCase())) return undefined;
      if (REAL_PROVIDER_HOSTS.includes(host) && u.protocol === 'https:') return undefined;
      return `${u.host} is not a push provider's host; the operator can allow it with ${PROVIDER_HOSTS_SETTING}`;
    },
  };
}
