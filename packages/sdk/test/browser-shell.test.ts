import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRoster } from '../src/browser/index.js';
import { FakeClock, FakeTransport, settle } from '../src/testing/index.js';
import { parseState } from '../src/core/state.js';

/** A tiny stand-in for the page: localStorage, document visibility and window events. */
function fakePage() {
  const store = new Map<string, string>();
  const listeners = new Map<string, () => void>();
  const doc = {
    visibilityState: 'visible',
    addEventListener: (t: string, f: () => void) => listeners.set(t, f),
    removeEventListener: () => {},
  };
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => store.set(k, v),
    removeItem: (k: string) => store.delete(k),
  });
  vi.stubGlobal('document', doc);
  vi.stubGlobal('addEventListener', (t: string, f: () => void) => listeners.set(t, f));
  vi.stubGlobal('removeEventListener', () => {});
  return { store, listeners, doc };
}

afterEach(() => vi.unstubAllGlobals());

describe('browser shell', () => {
  it('stores in localStorage, flushes with keepalive ≤ 64 KB on pagehide, and sends X-Roster-Client (no User-Agent)', async () => {
    const page = fakePage();
    const transport = new FakeTransport();
    const clock = new FakeClock();
    const roster = createRoster({
      siteId: 'site',
      apiKey: 'key',
      trackingApiUrl: 'https://r.example',
      transport: transport.fetch,
      clock,
      timers: clock,
      logLevel: 'none',
    });
    for (let i = 0; i < 5; i++) await roster.track('big', { blob: 'x'.repeat(20_000) });
    expect(parseState(page.store.get('roster:site'))!.queue).toHaveLength(5);
    page.listeners.get('pagehide')!();
    await settle(200);
    await roster.flush();
    expect(transport.requests.every((r) => r.keepalive)).toBe(true);
    expect(transport.requests.map((r) => r.ops.length)).toEqual([3, 2]);
    expect(transport.requests.every((r) => JSON.stringify(r.body).length <= 64 * 1024)).toBe(true);
    expect(transport.requests[0]!.headers['User-Agent']).toBeUndefined();
    expect(transport.requests[0]!.headers['X-Roster-Client']).toBe('Roster SDK/0.1.0 (web)');
  });
});
