import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  DESKTOP,
  launch,
  PHONE,
  screenshot,
  seed,
  seedMessaging,
  seedObjects,
  signIn,
  type Seeded,
  type SeededMessaging,
} from './helpers.js';

interface Screen {
  name: string;
  path: (s: Seeded, m: SeededMessaging) => string;
  heading: string;
  title: string;
  /** A test id that is on the page once its data has arrived. */
  ready?: string;
  /** What to open on the page first (a panel that has no address of its own). */
  open?: (page: Page) => Promise<void>;
  signedOut?: boolean;
}

const builderLink = (m: SeededMessaging) =>
  `/segments/new?${new URLSearchParams({
    name: 'Pro, recent buyers',
    conditions: JSON.stringify({
      and: [
        { attribute: { field: 'plan', operator: 'in', value: ['pro', 'team'] } },
        { event: { name: 'purchase', count: { operator: 'gte', value: 1 }, within: '30d' } },
        { not: { segment: { id: m.dynamicSegmentId } } },
      ],
    }),
  })}`;

/** The webhook subscription `beforeAll` makes (its page is one of the screens). */
let webhookId = 0;

/** Every screen of the dashboard, as a newcomer meets it. */
const SCREENS: Screen[] = [
  {
    name: 'login',
    path: () => '/',
    heading: 'Sign in to Roster',
    title: 'Sign in · Roster',
    signedOut: true,
  },
  {
    name: 'people',
    path: () => '/people',
    heading: 'People',
    title: 'People · Roster',
    ready: 'people-table',
  },
  {
    name: 'people-search',
    path: () => '/people?q=user-2&attr=plan&value=free',
    heading: 'People',
    title: 'user-2 · People · Roster',
    ready: 'people-table',
  },
  {
    name: 'person',
    path: (s) => `/people/${s.danaCioId}`,
    heading: 'dana@example.com',
    title: 'dana@example.com · People · Roster',
    ready: 'timeline',
  },
  {
    name: 'objects',
    path: () => '/objects',
    heading: 'Objects',
    title: 'Companies · Objects · Roster',
    ready: 'objects-table',
  },
  {
    name: 'object',
    path: () => '/objects/1/acme',
    heading: 'Acme',
    title: 'Acme · Companies · Roster',
    ready: 'related-people',
  },
  {
    name: 'segments',
    path: () => '/segments',
    heading: 'Segments',
    title: 'Segments · Roster',
    ready: 'segments-table',
  },
  {
    name: 'segment',
    path: (_s, m) => `/segments/${m.dynamicSegmentId}`,
    heading: 'Pro on iOS',
    title: 'Pro on iOS · Segments · Roster',
    ready: 'members',
  },
  {
    name: 'segment-builder',
    path: (_s, m) => builderLink(m),
    heading: 'New segment',
    title: 'New segment · Segments · Roster',
    ready: 'live-count-value',
  },
  {
    name: 'activity',
    path: () => '/activity',
    heading: 'Activity',
    title: 'Activity · Roster',
    ready: 'recent-activity',
  },
  {
    name: 'messages',
    path: () => '/messages',
    heading: 'Messages',
    title: 'Messages · Roster',
    ready: 'deliveries-table',
  },
  {
    name: 'campaign-webhook-editor',
    path: () => '/messages',
    heading: 'Messages',
    title: 'Messages · Roster',
    ready: 'webhook-action',
    open: (page) =>
      page
        .getByTestId('campaigns-table')
        .locator('tr', { hasText: 'Order to CRM' })
        .getByRole('button', { name: /^Edit/ })
        .click(),
  },
  {
    name: 'webhooks',
    path: () => '/webhooks',
    heading: 'Webhooks',
    title: 'Webhooks · Roster',
    ready: 'webhooks-table',
  },
  {
    name: 'webhook',
    path: () => `/webhooks/${webhookId}`,
    get heading() {
      return `Webhooks / Subscription ${webhookId}`;
    },
    title: 'https://hooks.example.com/roster · Webhooks · Roster',
    ready: 'webhook-state',
  },
  {
    name: 'settings',
    path: () => '/settings',
    heading: 'Settings',
    title: 'Settings · Roster',
    ready: 'apns-configured',
  },
  { name: 'not-found', path: () => '/nowhere', heading: 'Not found', title: 'Not found · Roster' },
];

/** Which variants' screenshots go to docs/screenshots (all are checked). */
const SAVED: Record<string, (name: string) => string | null> = {
  'desktop-light': (name) => (['not-found', 'campaign-webhook-editor'].includes(name) ? null : name),
  'desktop-dark': (name) => (name === 'segment' ? `dark-${name}` : null),
  'phone-light': (name) => (name === 'people-search' ? `phone-${name}` : null),
  'phone-dark': (name) => (['person', 'messages', 'segment'].includes(name) ? `phone-dark-${name}` : null),
};

/** Waits until nothing on the page is still loading or counting, and layout has settled. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          document.querySelectorAll('.loading, [aria-busy="true"]').length +
          (document.body.textContent?.includes('Counting…') ? 1 : 0) +
          (document.body.textContent?.includes('Rendering…') ? 1 : 0),
      ),
    )
    .toBe(0);
  // Two frames: size observers (the charts measure their box) have run and the page has painted.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Form controls a screen reader would announce without a name (no label, aria-label or text). */
async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea, button'))
      .filter((el) => {
        const id = el.getAttribute('id');
        const label = id ? document.querySelector(`label[for="${id}"]`) : null;
        return (
          !label && !el.closest('label') && !el.getAttribute('aria-label') && !(el.textContent ?? '').trim()
        );
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

/** What makes a page look broken on a small screen: anything wider than the screen, or clipped. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow > 1) out.push(`the page scrolls sideways by ${overflow}px`);
    for (const el of Array.from(document.querySelectorAll('.table-wrap, .card, .panel'))) {
      const e = el as HTMLElement;
      if (e.scrollWidth - e.clientWidth > 1)
        out.push(
          `${e.className} ${e.querySelector('h2')?.textContent ?? ''} clips ${e.scrollWidth - e.clientWidth}px`,
        );
    }
    return out;
  });
}

describe.skipIf(!chromiumAvailable())('dashboard screens', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let messaging: SeededMessaging;

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    seeded = await seed(server);
    messaging = await seedMessaging(server, seeded);
    await seedObjects(server);
    const hook = await appApi(server, 'POST', '/webhooks', {
      url: 'https://hooks.example.com/roster',
      events: ['person.created', 'person.updated', 'event.tracked', 'segment.entered'],
      event_names: ['purchase'],
      segment_ids: [seeded.segmentId],
      description: 'CRM sync',
    });
    expect(hook.status).toBe(200);
    webhookId = (hook.body as { webhook: { id: number } }).webhook.id;
    const campaign = await appApi(server, 'POST', '/campaigns', {
      name: 'Order to CRM',
      type: 'triggered',
      trigger: { event: 'ordered' },
      action: {
        type: 'webhook',
        url: 'https://crm.example.com/hooks/orders',
        method: 'PUT',
        headers: { Authorization: 'Bearer crm-key', 'X-Customer': '{{ customer.id }}' },
        body: '{"id": {{ customer.id | json }}, "item": {{ event.item | json }}}',
      },
    });
    expect(campaign.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await messaging?.fakes.stop();
    await server?.cleanup();
  });

  for (const size of ['desktop', 'phone'] as const)
    for (const scheme of ['light', 'dark'] as const) {
      const variant = `${size}-${scheme}`;
      it(`shows every screen at ${size} width in ${scheme} mode, whole and unclipped`, async () => {
        const browser = await launch({ ...(size === 'phone' ? PHONE : DESKTOP), colorScheme: scheme });
        const { page } = browser;
        const errors = collectErrors(page);
        try {
          for (const screen of SCREENS) {
            if (screen.signedOut) {
              await page.goto(`${server.url}/`);
              await page.evaluate(() => {
                sessionStorage.clear();
                localStorage.clear();
              });
              await page.reload();
            } else {
              if (!(await page.evaluate(() => sessionStorage.getItem('roster.appApiKey'))))
                await signIn(page, server);
              await page.goto(`${server.url}${screen.path(seeded, messaging)}`);
            }
            const where = `${variant} ${screen.name}`;
            await page.getByRole('heading', { level: 1, name: screen.heading, exact: true }).waitFor();
            if (screen.open) await screen.open(page);
            if (screen.ready) await page.getByTestId(screen.ready).first().waitFor();
            await settle(page);
            await expect.poll(() => page.title(), { message: where }).toBe(screen.title);
            expect(await layoutProblems(page), where).toEqual([]);
            expect(await unnamedControls(page), where).toEqual([]);
            const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            expect(bg, where).toBe(scheme === 'dark' ? 'rgb(15, 17, 21)' : 'rgb(246, 247, 249)');
            if (size === 'phone') {
              // Tables become one card per row: column headings hidden, each cell labelled.
              for (const table of await page.locator('table.cards').all()) {
                expect(
                  await table.locator('thead').evaluate((t) => t.getBoundingClientRect().height),
                  where,
                ).toBeLessThanOrEqual(1);
                expect(
                  await table
                    .locator('tbody tr')
                    .first()
                    .evaluate((r) => getComputedStyle(r).display),
                  where,
                ).toBe('block');
              }
            }
            const saveAs = SAVED[variant]!(screen.name);
            if (saveAs) await screenshot(page, saveAs);
          }
          if (size === 'phone') {
            // The nav scrolls sideways and says so: a fade at the end that hides sections.
            await page.goto(`${server.url}/people`);
            const wrap = page.getByTestId('nav-wrap');
            await expect.poll(() => wrap.getAttribute('class')).toContain('more-end');
            await page.locator('nav.main').evaluate((n) => n.scrollTo({ left: n.scrollWidth }));
            await expect.poll(() => wrap.getAttribute('class')).toContain('more-start');
            await expect.poll(() => wrap.getAttribute('class')).not.toContain('more-end');
          }
          expect(errors).toEqual([]);
        } finally {
          await browser.close();
        }
      }, 120_000);
    }
});
