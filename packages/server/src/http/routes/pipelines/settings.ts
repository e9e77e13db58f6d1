import type { FastifyRequest } from 'fastify';

/** Where clients reach this server: `--public-url` / ROSTER_PUBLIC_URL, parsed once. */
export interface PublicUrl {
  /** `http` or `https`. */
  protocol: string;
  /** Scheme-less host and path prefix, e.g. `roster.example.com` or `example.com/roster`. */
  hostAndPath: string;
}

/** Parses ROSTER_PUBLIC_URL (`https://roster.example.com`); throws on anything else. */
export function parsePublicUrl(value: string): PublicUrl {
  const u = new URL(value);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`public URL must be http(s): ${value}`);
  return { protocol: u.protocol.slice(0, -1), hostAndPath: `${u.host}${u.pathname.replace(/\/+$/, '')}` };
}

/**
 * `GET /v1/projects/:writeKey/settings` (docs/pipelines.md "Pointing each client at Roster"): the `Customer.io Data
 * Pipelines` destination with the scheme-less `apiHost` the clients post to — the public URL when
 * one is configured, else the host this request came to. `metrics.sampleRate: 0` keeps the
 * browser's and the mobile libraries' telemetry from going anywhere.
 */
export function settingsBody(
  request: FastifyRequest,
  writeKey: string,
  publicUrl: PublicUrl | undefined,
): unknown {
  const base = publicUrl ?? { protocol: request.protocol, hostAndPath: request.host };
  const destination = { apiKey: writeKey, apiHost: `${base.hostAndPath}/v1`, protocol: base.protocol };
  return {
    integrations: { 'Customer.io Data Pipelines': destination, 'Segment.io': destination },
    plan: { track: {}, identify: {}, group: {} },
    edgeFunction: {},
    analyticsNextEnabled: true,
    middlewareSettings: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}
