/**
 * The only way the dashboard talks to Roster: the App API under `/v1`, with the workspace's App
 * API key (kept in sessionStorage for this browser tab's session, never in localStorage).
 */

const KEY = 'roster.appApiKey';

export const session = {
  get key(): string | null {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  set(key: string): void {
    sessionStorage.setItem(KEY, key);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};

/** Fired when the server rejects the key (401): the app returns to the sign-in page. */
export const UNAUTHORIZED_EVENT = 'roster:unauthorized';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The route does not exist on this server (404 "no route", or 405 for a path known under other methods). */
    readonly missingRoute: boolean,
    readonly route: string,
    /** A reference to quote when reporting the error, when the server gave one. */
    readonly reference?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads any of Roster's error envelopes: App `errors[]`, Track/send `meta.error` / `meta.errors`. */
function errorText(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { errors?: unknown; meta?: { error?: unknown; errors?: unknown } };
  if (Array.isArray(b.errors)) {
    const parts = b.errors.map((e) =>
      typeof e === 'string'
        ? e
        : String(
            (e as { detail?: unknown; message?: unknown }).detail ??
              (e as { message?: unknown }).message ??
              '',
          ),
    );
    return parts.filter(Boolean).join('; ') || undefined;
  }
  if (b.meta) {
    if (typeof b.meta.error === 'string') return b.meta.error;
    if (Array.isArray(b.meta.errors)) return b.meta.errors.map(String).join('; ');
  }
  return undefined;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Use this key instead of the session's (the sign-in check). */
  key?: string;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const key = options.key ?? session.key ?? '';
  const route = `${method} ${path.split('?')[0]}`;
  let res: Response;
  try {
    res = await fetch(`/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Roster did not answer. Is the server running?', false, route);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (res.ok) return (parsed ?? {}) as T;
  const raw = errorText(parsed) ?? `${res.status} ${res.statusText}`;
  const ref = /\s*\(reference ([^)]+)\)\s*$/.exec(raw);
  const message = ref ? raw.slice(0, ref.index) : raw;
  const missingRoute = (res.status === 404 && /^no route for /.test(message)) || res.status === 405;
  if (res.status === 401 && !options.key) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  throw new ApiError(res.status, message, missingRoute, route, ref?.[1]);
}

export const enc = encodeURIComponent;

export function qs(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---- Shapes (spec app-api.md §3, plus Roster's extensions) -------------------------------------

export interface Identifiers {
  id: string | null;
  email: string | null;
  cio_id: string;
}

export interface Device {
  id: string;
  platform: string;
  last_used?: number;
  attributes?: Record<string, string>;
}

export interface Customer {
  id: string | null;
  identifiers?: Identifiers;
  attributes: Record<string, string>;
  timestamps: Record<string, number>;
  unsubscribed: boolean;
  devices: Device[];
}

export interface Activity {
  id: string;
  type: string;
  timestamp: number;
  customer_id: string | null;
  customer_identifiers: Identifiers | null;
  name?: string | null;
  url?: string;
  data: unknown;
  delivery_id?: string | null;
  delivery_type?: string | null;
}

export interface Segment {
  id: number;
  name: string;
  description?: string | null;
  type?: string;
  state?: string;
  conditions?: Condition | null;
  created_at?: number;
  updated_at?: number;
}

export interface Page<T> {
  items: T[];
  next: string;
}

export interface SearchResult {
  identifiers: Identifiers[];
  ids: string[];
  next: string;
}

export interface ExplainNode {
  /** A group's kind (`and`, `or`, `not`, `device`, `event`) or the condition itself. */
  node: unknown;
  result: boolean;
  seen?: unknown;
  pointer?: string;
  children?: ExplainNode[];
}

export interface Template {
  id: number | string;
  name: string;
  title: string;
  message: string;
  image_url?: string | null;
  link?: string | null;
  custom_data?: Record<string, string> | null;
  trigger_name?: string;
}

export interface Rendered {
  title: string;
  message: string;
  image_url?: string | null;
  link?: string | null;
  custom_data?: Record<string, string> | null;
  [k: string]: unknown;
}

export interface Campaign {
  id: number;
  name: string;
  type: string;
  trigger?: unknown;
  state?: string;
  metrics?: Partial<Record<'sent' | 'delivered' | 'opened' | 'bounced' | 'failed', number>>;
}

export interface Message {
  id: string;
  type: string;
  created: number;
  customer_id: string | null;
  customer_identifiers: Identifiers | null;
  recipient?: string | null;
  subject?: string | null;
  metrics: Record<string, number>;
  failure_message?: string | null;
  campaign_id?: number | null;
  broadcast_id?: number | null;
  transactional_message_id?: string | number | null;
}

export interface Workspace {
  site_id: string;
  name: string;
  identifier_mode: string;
  settings: Record<string, unknown>;
  push_providers: Array<{ kind: string; configured: boolean; app_identifier?: string }>;
}

// ---- Conditions (the segments' language) ----------------------------------------------------

export type AttributeOperator =
  'eq' | 'ne' | 'exists' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'starts_with' | 'in';

export interface AttributeCondition {
  field: string;
  operator: AttributeOperator;
  value?: string | string[];
  inverse?: boolean;
}

export type Condition =
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition }
  | { segment: { id: number } }
  | { attribute: AttributeCondition }
  | { device: Condition }
  | {
      event: {
        name: string;
        count?: { operator: AttributeOperator; value: number };
        within?: string;
        where?: Condition;
      };
    };

// ---- Endpoints --------------------------------------------------------------------------------

export type IdType = 'id' | 'email' | 'cio_id';

const person = (cioId: string) => `/customers/${enc(cioId)}`;

export const App = {
  customer: (cioId: string, signal?: AbortSignal) =>
    api<{ customer: Customer }>('GET', `${person(cioId)}/attributes?id_type=cio_id`, undefined, { signal }),
  customers: (cioIds: string[], signal?: AbortSignal) =>
    api<{ customers: Customer[] }>(
      'POST',
      '/customers/attributes?id_type=cio_id',
      { ids: cioIds },
      { signal },
    ),
  search: (filter: Condition, start: string, limit: number, signal?: AbortSignal) =>
    api<SearchResult>('POST', `/customers${qs({ start, limit })}`, { filter }, { signal }),
  activities: (
    cioId: string,
    params: { start?: string; limit?: number; type?: string },
    signal?: AbortSignal,
  ) =>
    api<{ activities: Activity[]; next: string }>(
      'GET',
      `${person(cioId)}/activities${qs({ id_type: 'cio_id', ...params })}`,
      undefined,
      { signal },
    ),
  customerSegments: (cioId: string, signal?: AbortSignal) =>
    api<{ segments: Segment[] }>('GET', `${person(cioId)}/segments?id_type=cio_id`, undefined, { signal }),
  customerMessages: (cioId: string, signal?: AbortSignal) =>
    api<{ messages: Message[]; next: string }>(
      'GET',
      `${person(cioId)}/messages?id_type=cio_id&limit=20`,
      undefined,
      {
        signal,
      },
    ),
  allActivities: (
    params: { start?: string; limit?: number; type?: string; name?: string },
    signal?: AbortSignal,
  ) =>
    api<{ activities: Activity[]; next: string }>('GET', `/activities${qs(params)}`, undefined, { signal }),
  activityStats: (interval: 'hour' | 'day', signal?: AbortSignal) =>
    api<{
      buckets: Array<{ timestamp: number; count: number }>;
      top_names: Array<{ name: string; count: number }>;
    }>('GET', `/activities/stats${qs({ interval, type: 'event' })}`, undefined, { signal }),

  segments: (signal?: AbortSignal) => api<{ segments: Segment[] }>('GET', '/segments', undefined, { signal }),
  segment: (id: number, signal?: AbortSignal) =>
    api<{ segment: Segment }>('GET', `/segments/${id}`, undefined, { signal }),
  createSegment: (segment: { name: string; description?: string; conditions?: Condition }) =>
    api<{ segment: Segment }>('POST', '/segments', { segment }),
  updateSegment: (id: number, segment: { name?: string; description?: string; conditions?: Condition }) =>
    api<{ segment: Segment }>('PUT', `/segments/${id}`, { segment }),
  deleteSegment: (id: number) => api<unknown>('DELETE', `/segments/${id}`),
  segmentCount: (id: number, signal?: AbortSignal) =>
    api<{ count: number }>('GET', `/segments/${id}/customer_count`, undefined, { signal }),
  countConditions: (conditions: Condition, signal?: AbortSignal) =>
    api<{ count: number }>('POST', '/segments/count', { conditions }, { signal }),
  membership: (id: number, start: string, limit: number, signal?: AbortSignal) =>
    api<SearchResult>('GET', `/segments/${id}/membership${qs({ start, limit })}`, undefined, { signal }),
  explain: (id: number, cioId: string, signal?: AbortSignal) =>
    api<{ result: boolean; member?: boolean; tree: ExplainNode | null }>(
      'GET',
      `/segments/${id}/explain${qs({ customer_id: cioId, id_type: 'cio_id' })}`,
      undefined,
      { signal },
    ),
  history: (id: number, signal?: AbortSignal) =>
    api<{ points: Array<{ timestamp: number; count: number }> }>(
      'GET',
      `/segments/${id}/history`,
      undefined,
      { signal },
    ),

  templates: (signal?: AbortSignal) =>
    api<{ messages?: Template[]; templates?: Template[]; transactional?: Template[] }>(
      'GET',
      '/transactional',
      undefined,
      {
        signal,
      },
    ),
  createTemplate: (t: Omit<Template, 'id'>) => api<Record<string, Template>>('POST', '/transactional', t),
  updateTemplate: (id: Template['id'], t: Omit<Template, 'id'>) =>
    api<Record<string, Template>>('PUT', `/transactional/${enc(String(id))}`, t),
  preview: (
    body: {
      template: Omit<Template, 'id' | 'name'>;
      customer_id: string;
      id_type: IdType;
      device_token?: string;
      event?: unknown;
      trigger?: unknown;
    },
    signal?: AbortSignal,
  ) => api<{ rendered: Rendered }>('POST', '/templates/preview', body, { signal }),
  sendPush: (body: Record<string, unknown>) =>
    api<{ delivery_id: string; queued_at: number }>('POST', '/send/push', body),
  campaigns: (signal?: AbortSignal) =>
    api<{ campaigns: Campaign[] }>('GET', '/campaigns', undefined, { signal }),
  triggerBroadcast: (id: number, data: unknown) =>
    api<{ id: number }>('POST', `/campaigns/${id}/triggers`, { data }),
  messages: (params: { start?: string; limit?: number }, signal?: AbortSignal) =>
    api<{ messages: Message[]; next: string }>('GET', `/messages${qs(params)}`, undefined, { signal }),

  workspace: (signal?: AbortSignal) =>
    api<{ workspace: Workspace }>('GET', '/workspace', undefined, { signal }),
  updateWorkspace: (body: { identifier_mode?: string; settings?: Record<string, unknown> }) =>
    api<{ workspace: Workspace }>('PUT', '/workspace', body),
  rotateKeys: (body: { track?: boolean; app?: boolean }) =>
    api<Record<string, unknown>>('POST', '/workspace/rotate-keys', body),
  setPushProvider: (kind: 'apns' | 'fcm', credentials: Record<string, unknown>) =>
    api<unknown>('PUT', `/workspace/push-providers/${kind}`, credentials),
};

/**
 * People whose id, email or cio_id is exactly `q`, through the plain lookups (email search, and the
 * profile by id and by cio_id) rather than a filter, so it works on any compatible server.
 */
export async function findPeople(q: string, signal?: AbortSignal): Promise<Identifiers[]> {
  const value = q.trim();
  if (!value) return [];
  const quiet404 = <T>(p: Promise<T>): Promise<T | null> =>
    p.catch((err: unknown) => {
      if (err instanceof ApiError && (err.status === 404 || err.status === 400) && !err.missingRoute)
        return null;
      throw err;
    });
  const profile = (idType: IdType, v: string) =>
    quiet404(
      api<{ customer: Customer }>('GET', `/customers/${enc(v)}/attributes?id_type=${idType}`, undefined, {
        signal,
      }),
    );
  const [byEmail, byId, byCio] = await Promise.all([
    value.includes('@')
      ? quiet404(
          api<{ results: Identifiers[] }>('GET', `/customers${qs({ email: value })}`, undefined, { signal }),
        )
      : Promise.resolve(null),
    profile('id', value),
    profile('cio_id', value.replace(/^cio_/, '')),
  ]);
  const out = new Map<string, Identifiers>();
  for (const r of byEmail?.results ?? []) out.set(r.cio_id, r);
  for (const c of [byId?.customer, byCio?.customer]) {
    if (!c) continue;
    const ids = c.identifiers ?? {
      id: c.id,
      email: c.attributes.email ?? null,
      cio_id: c.attributes.cio_id ?? '',
    };
    if (ids.cio_id) out.set(ids.cio_id, ids);
  }
  return [...out.values()];
}

/** The templates list, whichever key the server names it under. */
export function templateList(body: {
  messages?: Template[];
  templates?: Template[];
  transactional?: Template[];
}): Template[] {
  return body.templates ?? body.transactional ?? body.messages ?? [];
}

/** Everybody: the filter that matches every person (each has a cio_id). */
export const EVERYONE: Condition = { attribute: { field: 'cio_id', operator: 'exists' } };
