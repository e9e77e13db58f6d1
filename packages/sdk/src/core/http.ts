import { base64Utf8 } from './base64.js';
import type { Attempt } from './classify.js';
import type { Transport } from './platform.js';
import { SDK_VERSION } from './version.js';
import type { BatchItemError } from './wire.js';
import { isJsonObject } from './json.js';

export interface HttpOptions {
  siteId: string;
  apiKey: string;
  /** e.g. `node`, `web`, `react-native`. */
  platform: string;
  /** Browsers forbid setting User-Agent; `X-Roster-Client` carries the same text everywhere. */
  setUserAgent: boolean;
}

/** Headers on every request (docs/track-api.md §1). */
export function requestHeaders(o: HttpOptions): Record<string, string> {
  const client = `Roster SDK/${SDK_VERSION} (${o.platform})`;
  const headers: Record<string, string> = {
    Authorization: `Basic ${base64Utf8(`${o.siteId}:${o.apiKey}`)}`,
    'Content-Type': 'application/json',
    'X-Roster-Client': client,
  };
  if (o.setUserAgent) headers['User-Agent'] = client;
  return headers;
}

export interface PostResult {
  attempt: Attempt;
  /** Failed items of a 207 response. */
  itemErrors: BatchItemError[];
}

/**
 * POSTs one body and reports what happened; never throws (a throwing transport is a network error).
 * A timeout aborts the request where `AbortController` exists.
 */
export async function postJson(
  transport: Transport,
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: {
    keepalive?: boolean;
    timeoutMs: number;
    timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  },
): Promise<PostResult> {
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timer = controller ? opts.timers.setTimeout(() => controller.abort(), opts.timeoutMs) : undefined;
  try {
    const res = await transport(url, {
      method: 'POST',
      headers,
      body,
      ...(opts.keepalive ? { keepalive: true } : {}),
      ...(controller ? { signal: controller.signal } : {}),
    });
    const text = res.status === 207 ? await res.text().catch(() => '') : '';
    return {
      attempt: { status: res.status, retryAfter: res.headers.get('retry-after') },
      itemErrors: res.status === 207 ? parseItemErrors(text) : [],
    };
  } catch (error) {
    return { attempt: { error }, itemErrors: [] };
  } finally {
    if (timer !== undefined) opts.timers.clearTimeout(timer);
  }
}

/** `{"errors":[{"batch_index":i,…}]}` → the listed errors; anything malformed → none. */
export function parseItemErrors(text: string): BatchItemError[] {
  try {
    const doc: unknown = JSON.parse(text);
    if (!isJsonObject(doc) || !Array.isArray(doc.errors)) return [];
    return doc.errors.filter(
      (e): e is BatchItemError & { [k: string]: never } =>
        isJsonObject(e) && typeof e.batch_index === 'number',
    );
  } catch {
    return [];
  }
}
