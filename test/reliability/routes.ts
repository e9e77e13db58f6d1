import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../packages/server/dist/http/app.js';
import { openStore } from '../../packages/server/dist/store/open-store.js';

export type Api = 'track' | 'app' | 'pipelines' | 'open';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** track: Basic site:key; app: Bearer app key; pipelines: Basic write key; open: no auth needed. */
  api: Api;
  /** A body that the route accepts, as a starting point for mutations. */
  body?: unknown;
  /** Changes the caller's own keys: kept out of runs that go on using them. */
  rotatesKeys?: boolean;
  /** Answers something other than JSON on success (Prometheus text, an HTML page). */
  nonJson?: boolean;
}

const person = { type: 'person', action: 'identify', identifiers: { id: 'u' }, attributes: { a: 1 } };

/** Every Track route (docs/track-api.md §2). */
export const TRACK_ROUTES: Route[] = [
  { method: 'PUT', path: '/api/v1/customers/:identifier', api: 'track', body: { plan: 'pro' } },
  { method: 'DELETE', path: '/api/v1/customers/:identifier', api: 'track' },
  {
    method: 'PUT',
    path: '/api/v1/customers/:identifier/devices',
    api: 'track',
    body: { device: { id: 'tok', platform: 'ios', attributes: { a: '1' } } },
  },
  { method: 'DELETE', path: '/api/v1/customers/:identifier/devices/:device_id', api: 'track' },
  { method: 'POST', path: '/api/v1/customers/:identifier/suppress', api: 'track', body: {} },
  { method: 'POST', path: '/api/v1/customers/:identifier/unsuppress', api: 'track', body: {} },
  {
    method: 'POST',
    path: '/api/v1/customers/:identifier/events',
    api: 'track',
    body: { name: 'e', data: { k: 'v' } },
  },
  { method: 'POST', path: '/api/v1/events', api: 'track', body: { anonymous_id: 'a', name: 'e' } },
  {
    method: 'POST',
    path: '/api/v1/merge_customers',
    api: 'track',
    body: { primary: { id: 'p' }, secondary: { id: 's' } },
  },
  { method: 'POST', path: '/api/v1/segments/:segment_id/add_customers', api: 'track', body: { ids: ['u'] } },
  {
    method: 'POST',
    path: '/api/v1/segments/:segment_id/remove_customers',
    api: 'track',
    body: { ids: ['u'] },
  },
  {
    method: 'POST',
    path: '/api/v1/forms/:form_id/submit',
    api: 'track',
    body: { data: { email: 'f@x.io' } },
  },
  { method: 'POST', path: '/api/v1/metrics', api: 'open', body: { delivery_id: 'd', metric: 'clicked' } },
  { method: 'POST', path: '/api/v1/push/events', api: 'open', body: { delivery_id: 'd', event: 'opened' } },
  { method: 'POST', path: '/push/events', api: 'open', body: { delivery_id: 'd', event: 'opened' } },
  {
    method: 'POST',
    path: '/api/v1/cio_deliveries/events',
    api: 'open',
    body: { delivery_id: 'd', event: 'opened' },
  },
  { method: 'GET', path: '/api/v1/accounts/region', api: 'track' },
  { method: 'POST', path: '/unsubscribe/:delivery_id', api: 'open', body: { unsubscribe: true } },
  { method: 'POST', path: '/api/v2/entity', api: 'track', body: person },
  { method: 'POST', path: '/api/v2/batch', api: 'track', body: { batch: [person] } },
];

const filter = { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] };

/** Every App API route (docs/app-api.md), without the legacy `/v1/api` prefix. */
const APP_V1: Route[] = [
  { method: 'GET', path: '/v1/customers', api: 'app' },
  { method: 'POST', path: '/v1/customers', api: 'app', body: { filter } },
  { method: 'POST', path: '/v1/customers/attributes', api: 'app', body: { ids: ['u'] } },
  { method: 'GET', path: '/v1/customers/search', api: 'app' },
  { method: 'GET', path: '/v1/customers/:customer_id/attributes', api: 'app' },
  { method: 'GET', path: '/v1/customers/:customer_id/activities', api: 'app' },
  { method: 'GET', path: '/v1/customers/:customer_id/segments', api: 'app' },
  { method: 'GET', path: '/v1/customers/:customer_id/messages', api: 'app' },
  { method: 'GET', path: '/v1/activities', api: 'app' },
  { method: 'GET', path: '/v1/segments', api: 'app' },
  { method: 'POST', path: '/v1/segments', api: 'app', body: { segment: { name: 'S', description: 'd' } } },
  { method: 'POST', path: '/v1/segments/count', api: 'app', body: { filter } },
  { method: 'GET', path: '/v1/segments/:segment_id', api: 'app' },
  { method: 'PUT', path: '/v1/segments/:segment_id', api: 'app', body: { segment: { name: 'S2' } } },
  { method: 'DELETE', path: '/v1/segments/:segment_id', api: 'app' },
  { method: 'GET', path: '/v1/segments/:segment_id/history', api: 'app' },
  { method: 'GET', path: '/v1/segments/:segment_id/explain', api: 'app' },
  { method: 'GET', path: '/v1/segments/:segment_id/customer_count', api: 'app' },
  { method: 'GET', path: '/v1/segments/:segment_id/membership', api: 'app' },
  { method: 'GET', path: '/v1/segments/:segment_id/used_by', api: 'app' },
  { method: 'GET', path: '/v1/object_types', api: 'app' },
  { method: 'POST', path: '/v1/object_types', api: 'app', body: { name: 'Companies' } },
  { method: 'PUT', path: '/v1/object_types/:object_type_id', api: 'app', body: { name: 'Accounts' } },
  {
    method: 'POST',
    path: '/v1/objects',
    api: 'app',
    body: { object_type_id: '1', filter: { object_attribute: { field: 'marker', operator: 'exists' } } },
  },
  { method: 'GET', path: '/v1/objects/:object_type_id/:object_id/attributes', api: 'app' },
  { method: 'GET', path: '/v1/objects/:object_type_id/:object_id/relationships', api: 'app' },
  { method: 'GET', path: '/v1/objects/:object_type_id/:object_id/activities', api: 'app' },
  { method: 'GET', path: '/v1/customers/:customer_id/relationships', api: 'app' },
  { method: 'GET', path: '/v1/messages', api: 'app' },
  { method: 'GET', path: '/v1/messages/:message_id', api: 'app' },
  { method: 'GET', path: '/v1/activities/stats', api: 'app' },
  // Messaging (docs/messaging.md) and workspace settings.
  {
    method: 'POST',
    path: '/v1/send/push',
    api: 'app',
    body: { transactional_message_id: 1, identifiers: { id: 'u' }, title: 't', message: 'm' },
  },
  { method: 'GET', path: '/v1/transactional', api: 'app' },
  { method: 'POST', path: '/v1/transactional', api: 'app', body: { name: 'T', title: 't', body: 'b' } },
  { method: 'GET', path: '/v1/transactional/:id', api: 'app' },
  { method: 'PUT', path: '/v1/transactional/:id', api: 'app', body: { name: 'T2' } },
  {
    method: 'POST',
    path: '/v1/templates/preview',
    api: 'app',
    body: { template: 'Hi {{customer.first_name}}' },
  },
  { method: 'GET', path: '/v1/campaigns', api: 'app' },
  { method: 'POST', path: '/v1/campaigns', api: 'app', body: { name: 'C', type: 'broadcast' } },
  { method: 'GET', path: '/v1/campaigns/:id', api: 'app' },
  { method: 'PUT', path: '/v1/campaigns/:id', api: 'app', body: { name: 'C2' } },
  { method: 'POST', path: '/v1/campaigns/:id/triggers', api: 'app', body: { ids: ['u'] } },
  { method: 'GET', path: '/v1/campaigns/:id/triggers/:trigger_id', api: 'app' },
  {
    method: 'POST',
    path: '/v1/campaigns/webhook/preview',
    api: 'app',
    body: {
      action: {
        type: 'webhook',
        url: 'https://hooks.example.com/x',
        body: '{"id": {{ customer.id | json }}}',
      },
      customer_id: 'u',
    },
  },
  { method: 'POST', path: '/v1/campaigns/:id/test-send', api: 'app', body: { customer_id: 'u' } },
  { method: 'GET', path: '/v1/workspace', api: 'app' },
  { method: 'PUT', path: '/v1/workspace', api: 'app', body: { name: 'W' } },
  { method: 'POST', path: '/v1/workspace/rotate-keys', api: 'app', body: {}, rotatesKeys: true },
  { method: 'POST', path: '/v1/workspace/identity-secret', api: 'app', body: { overlap_seconds: 0 } },
  { method: 'PUT', path: '/v1/workspace/push-providers/:kind', api: 'app', body: { key: 'k' } },
  { method: 'DELETE', path: '/v1/workspace/push-providers/:kind', api: 'app' },
  { method: 'GET', path: '/v1/pipelines/errors', api: 'app' },
  // Indexed attributes (docs/app-api.md "Indexed attributes").
  { method: 'GET', path: '/v1/indexed_attributes', api: 'app' },
  { method: 'POST', path: '/v1/indexed_attributes', api: 'app', body: { name: 'plan', type: 'text' } },
  { method: 'DELETE', path: '/v1/indexed_attributes/:name', api: 'app' },
  // Webhooks (docs/webhooks.md).
  { method: 'GET', path: '/v1/webhooks', api: 'app' },
  {
    method: 'POST',
    path: '/v1/webhooks',
    api: 'app',
    body: { url: 'https://hooks.example.com/x', events: ['person.created'], enabled: false },
  },
  { method: 'GET', path: '/v1/webhooks/:id', api: 'app' },
  { method: 'PUT', path: '/v1/webhooks/:id', api: 'app', body: { description: 'd' } },
  { method: 'DELETE', path: '/v1/webhooks/:id', api: 'app' },
  { method: 'POST', path: '/v1/webhooks/:id/rotate-secret', api: 'app', body: { overlap_seconds: 0 } },
  { method: 'GET', path: '/v1/webhooks/:id/deliveries', api: 'app' },
  { method: 'GET', path: '/v1/webhooks/:id/attempts', api: 'app' },
  { method: 'POST', path: '/v1/webhooks/:id/deliveries/:delivery_id/replay', api: 'app' },
  { method: 'POST', path: '/v1/webhooks/:id/replay', api: 'app', body: {} },
];

export const APP_ROUTES: Route[] = [
  ...APP_V1,
  ...APP_V1.map((r) => ({ ...r, path: r.path.replace(/^\/v1\//, '/v1/api/') })),
];

const call = { type: 'identify', userId: 'u', traits: { a: 1 }, messageId: 'm1' };

/** Every Pipelines API route (docs/pipelines.md): the batch, the six calls, their short forms. */
export const PIPELINES_ROUTES: Route[] = [
  { method: 'POST', path: '/v1/batch', api: 'pipelines', body: { batch: [call] } },
  { method: 'POST', path: '/v1/b', api: 'pipelines', body: { batch: [call] } },
  ...['identify', 'track', 'page', 'screen', 'group', 'alias', 'i', 't', 'p', 's', 'g', 'a'].map(
    (path): Route => ({ method: 'POST', path: `/v1/${path}`, api: 'pipelines', body: call }),
  ),
  { method: 'POST', path: '/v1/m', api: 'open', body: { series: [] } },
  { method: 'GET', path: '/v1/projects/:writeKey/settings', api: 'open' },
];

export const OTHER_ROUTES: Route[] = [
  { method: 'GET', path: '/healthz', api: 'open' },
  { method: 'GET', path: '/openapi.json', api: 'open' },
  { method: 'GET', path: '/docs', api: 'open', nonJson: true },
  { method: 'GET', path: '/metrics', api: 'open', nonJson: true },
];

export const ALL_ROUTES: Route[] = [...TRACK_ROUTES, ...APP_ROUTES, ...PIPELINES_ROUTES, ...OTHER_ROUTES];

/** Paths owned by the dashboard (`/` and its SPA fallback), not an API. */
const DASHBOARD_PATHS = new Set(['/', '/*']);

/**
 * The paths the server registers, read from the app itself (built in-process on a throwaway SQLite
 * store): `printRoutes` renders a radix tree, which is flattened back into full paths.
 */
export async function registeredPaths(): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-routes-'));
  const store = await openStore({ dataDir: dir });
  try {
    const { app } = await buildApp({ store });
    await app.ready();
    const tree = app.printRoutes({ commonPrefix: false });
    await app.close();
    const paths = new Set<string>();
    const stack: string[] = [];
    for (const line of tree.split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+)( \(.*\))?/.exec(line.replace(/\u00a0/g, ' '));
      if (!m) continue;
      const depth = m[1]!.length / 4;
      const segment = m[2]!;
      const parent = stack[depth - 1] ?? '';
      // Radix edges split paths anywhere (`/v1/s` → `egments`), so a child continues its parent's text.
      const full = parent + segment;
      stack[depth] = full;
      stack.length = depth + 1;
      // Intermediate tree nodes without a handler carry no method list.
      if (m[3] && !DASHBOARD_PATHS.has(full)) paths.add(full);
    }
    return [...paths].sort();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
