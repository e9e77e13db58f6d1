import { session } from './session';

/**
 * The only way the dashboard talks to Roster: the App API under `/v1`, with the workspace's App
 * API key as a Bearer token.
 */

/** Fired when the server rejects the stored key (401): the app returns to the sign-in page. */
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
    /** The JSON pointer of the offending input (`source.pointer`), when the server named one. */
    readonly pointer?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorItem {
  detail?: unknown;
  message?: unknown;
  source?: { pointer?: unknown };
}

/** The error items of any of Roster's envelopes: App `errors[]`, or `meta.error` / `meta.errors`. */
function errorItems(body: unknown): Array<string | ErrorItem> {
  if (!body || typeof body !== 'object') return [];
  const b = body as { errors?: unknown; meta?: { error?: unknown; errors?: unknown } };
  if (Array.isArray(b.errors)) return b.errors as Array<string | ErrorItem>;
  if (b.meta && Array.isArray(b.meta.errors)) return b.meta.errors as Array<string | ErrorItem>;
  if (b.meta && typeof b.meta.error === 'string') return [b.meta.error];
  return [];
}

function itemText(e: string | ErrorItem): string {
  return typeof e === 'string' ? e : String(e.detail ?? e.message ?? '');
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Use this key instead of the stored one (the sign-in check). */
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
      signal: options.signal ?? null,
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
  const items = errorItems(parsed);
  const raw = items.map(itemText).filter(Boolean).join('; ') || `${res.status} ${res.statusText}`;
  const ref = /\s*\(reference ([^)]+)\)\s*$/.exec(raw);
  const message = ref ? raw.slice(0, ref.index) : raw;
  const first = items[0];
  const pointer =
    first && typeof first === 'object' && typeof first.source?.pointer === 'string'
      ? first.source.pointer
      : undefined;
  const missingRoute = (res.status === 404 && /^no route for /.test(message)) || res.status === 405;
  if (res.status === 401 && !options.key) {
    // The key was rotated or revoked: forget it everywhere on this device, then sign in again.
    session.clear();
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  }
  throw new ApiError(res.status, message, missingRoute, route, ref?.[1], pointer);
}

export const enc = encodeURIComponent;

export function qs(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
