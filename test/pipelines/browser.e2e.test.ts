import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSDOM } from 'jsdom';
import { engines } from '../helpers/postgres.js';
import { waitFor } from '../helpers/wait.js';
import { startPipelinesServer, type PipelinesServer } from './helpers.js';

/**
 * `@customerio/cdp-analytics-browser` unchanged, under jsdom (docs/pipelines.md "Pointing each client at Roster"): it reads
 * Roster's settings route, then posts each call to the `apiHost` the settings name (`/v1/i`, `/v1/t`,
 * `/v1/p`… as text/plain with the key in the body).
 */
/** An object's properties by name (the page's window, Node's globalThis). */
function props(o: object): Record<string, unknown> {
  return o as Record<string, unknown>;
}

describe.each(engines())('the real browser client against Roster (%s)', (engine) => {
  let s: PipelinesServer;

  beforeAll(async () => {
    s = await startPipelinesServer(engine);
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'https://shop.example/' });
    const g = props(globalThis);
    const win = props(dom.window);
    win.fetch = fetch;
    // What a browser page has and Node lacks (window, document, HTMLElement, localStorage…); Node's
    // own globals (fetch, URL, timers) stay.
    for (const key of Object.getOwnPropertyNames(win))
      if (!(key in g) || ['window', 'document', 'navigator', 'location', 'localStorage'].includes(key))
        Object.defineProperty(g, key, {
          value: key === 'window' ? win : win[key],
          configurable: true,
          writable: true,
        });
  });
  afterAll(async () => {
    await s?.server.cleanup();
  });

  it('loads its settings from Roster and sends identify, track and page there', async () => {
    const { AnalyticsBrowser } = await import('@customerio/cdp-analytics-browser');
    const [analytics] = await AnalyticsBrowser.load({ writeKey: s.writeKey, cdnURL: s.url });
    await analytics.identify('browser-1', { email: 'browser-1@example.com', plan: 'web' });
    await analytics.track('Added To Cart', { sku: 'B-1' });
    await analytics.page('Docs', 'Home', { url: 'https://shop.example/docs' });
    const person = await waitFor('the browser identify', async () => (await s.person('browser-1')) ?? false);
    expect(person.attributes).toMatchObject({ email: 'browser-1@example.com', plan: 'web' });
    const acts = await waitFor('the browser events', async () => {
      const list = await s.activities('browser-1');
      return list.some((a) => a.type === 'page') && list.some((a) => a.name === 'Added To Cart')
        ? list
        : false;
    });
    expect(acts.find((a) => a.type === 'page')).toMatchObject({ url: 'https://shop.example/docs' });
  });
});
