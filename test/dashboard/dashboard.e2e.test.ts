import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApnsKey } from '../fakes/push-credentials.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  launch,
  screenshot,
  seed,
  signIn,
  type Browser,
  type Seeded,
} from './helpers.js';

/**
 * The dashboard end to end: a real `roster serve` seeded through the Track API, driven by Debian's
 * chromium through playwright-core. One browser for the suite; each test signs in afresh. The
 * flows of single areas have their own files (people-search, segment-editing, messaging,
 * sign-in); screens.e2e checks every page at two widths in light and dark.
 */
describe.skipIf(!chromiumAvailable())('dashboard', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let browser: Browser;
  let errors: string[];

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'info' } });
    seeded = await seed(server);
    browser = await launch();
    errors = collectErrors(browser.page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('is served at / with a fallback for its own routes, while API paths keep JSON 404s', async () => {
    const html = await fetch(`${server.url}/people/x`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('<div id="app">');
    for (const p of ['/v1/nope', '/api/v1/nope', '/healthz/x', '/openapi.json', '/metrics']) {
      const res = await fetch(`${server.url}${p}`, { headers: { accept: 'text/html' } });
      if (p === '/metrics' || p === '/openapi.json') {
        // These may exist on the server; they are never the dashboard.
        expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
        continue;
      }
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type'), p).toMatch(/application\/json/);
    }
  });

  it('signs in with the App API key (and rejects a wrong one), for this tab only by default', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    await page.evaluate(() => {
      sessionStorage.clear();
      localStorage.clear();
    });
    await page.reload();
    await expect.poll(() => page.title()).toBe('Sign in · Roster');
    await page.getByLabel('App API key').fill('app_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    // "Show" lets someone check what they pasted.
    await page.getByRole('button', { name: 'Show key' }).click();
    expect(await page.getByLabel('App API key').getAttribute('type')).toBe('text');
    await page.getByLabel('App API key').fill(server.credentials.appApiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    const stored = await page.evaluate(() => [
      sessionStorage.getItem('roster.appApiKey'),
      JSON.stringify(localStorage),
    ]);
    expect(stored[0]).toBe(server.credentials.appApiKey);
    expect(stored[1]).not.toContain(server.credentials.appApiKey);
  });

  it('lists people with a count and pagination, and finds a person by the start of their email', async () => {
    const { page } = browser;
    await signIn(page, server);
    const table = page.getByTestId('people-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(25);
    await expect.poll(() => page.getByTestId('match-count').textContent()).toBe('30 people');
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('Page 2', { exact: true }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(5);
    await page.getByLabel('Search by the start of an id or email, or a whole cio_id').fill('dan');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await expect.poll(() => page.getByTestId('match-count').textContent()).toBe('1 person matches');
    await expect.poll(() => page.title()).toBe('dan · People · Roster');
    await page.getByRole('link', { name: 'dana@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/people/${seeded.danaCioId}`);
  });

  it("shows a person's identifiers, attributes, devices, timeline and segments", async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    await page.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();
    await expect.poll(() => page.title()).toBe('dana@example.com · People · Roster');

    const ids = await page.getByTestId('identifiers').textContent();
    expect(ids).toContain('dana');
    expect(ids).toContain(seeded.danaCioId);

    const attrs = page.getByTestId('attributes');
    expect(await attrs.textContent()).toContain('team');
    // Nested values as JSON.
    expect(await attrs.locator('pre.json').first().textContent()).toContain('"city": "Lisbon"');

    const devices = page.getByTestId('devices');
    const text = (await devices.textContent()) ?? '';
    // Platforms as people write them, never "IOS".
    for (const s of ['iOS', 'iPhone15,2', '17.4', '2.3.0', 'Android', 'Pixel 8', 'unused'])
      expect(text).toContain(s);
    expect(text).not.toContain('IOS');
    // Tokens shortened, the whole one on hover.
    const token = devices.locator('code.token[title]').first();
    expect(await token.getAttribute('title')).toMatch(/^[0-9a-f]{64}$/);
    expect((await token.locator('[aria-hidden]').textContent())!.length).toBeLessThan(25);

    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    const tl = (await timeline.textContent()) ?? '';
    expect(tl).toMatch(/plan: pro\s*→\s*team/);
    expect(tl).toContain('Device added');
    expect(tl).toContain('Event: purchase');
    expect(tl).toContain('"currency": "EUR"');

    const segs = page.getByTestId('person-segments');
    await segs.waitFor();
    expect(await segs.textContent()).toContain('VIP');

    await page.getByLabel('Show', { exact: true }).selectOption('event');
    await expect.poll(async () => (await timeline.textContent()) ?? '').not.toContain('Device added');
  });

  it('lists segments with counts and their rule in words, and shows membership', async () => {
    const { page } = browser;
    const created = await appApi(server, 'POST', '/segments', {
      segment: {
        name: 'Big teams',
        conditions: { attribute: { field: 'team_size', operator: 'gte', value: 20 } },
      },
    });
    expect(created.status).toBe(200);
    await signIn(page, server);
    await page.getByRole('link', { name: 'Segments' }).click();
    const table = page.getByTestId('segments-table');
    await table.waitFor();
    const vip = table.locator('tr', { hasText: 'VIP' });
    await expect
      .poll(async () => (await vip.textContent()) ?? '')
      .toMatch(/VIP.*People added through the Track API.*2/);
    const big = table.locator('tr', { hasText: 'Big teams' });
    await expect
      .poll(async () => (await big.textContent()) ?? '')
      .toMatch(/team_size is at least 20.*dynamic.*8/);
    await vip.getByRole('link', { name: 'VIP' }).click();
    const members = page.getByTestId('members');
    await members.waitFor();
    expect(await members.textContent()).toContain('dana@example.com');
    expect(await members.textContent()).toContain('sam@example.com');
    // A manual segment stays manual: no builder, no offer to convert.
    expect(await page.getByTestId('segment-type').textContent()).toContain(
      'type is fixed when it is created',
    );
    expect(await page.getByTestId('condition-builder').count()).toBe(0);
    expect(await page.getByRole('radio').count()).toBe(0);
  });

  it('builds a segment with a device condition, shows the live count, and explains membership', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/segments/new`);
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('iOS users');
    await page.getByLabel('Add a condition to this group').selectOption('device');
    // The device block starts with `platform equals ios`.
    expect(await page.getByLabel('Device field').inputValue()).toBe('platform');
    expect(await page.getByLabel('Device value').inputValue()).toBe('ios');
    // Dana (iOS) and user-08, user-16, user-24 (iOS every 8th).
    const live = page.getByTestId('live-count-value');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe('4');
    await page.getByLabel('Device value').fill('android');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe('5');
    await page.getByLabel('Device value').fill('ios');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe('4');

    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'iOS users' }).waitFor();
    const members = page.getByTestId('members');
    await members.waitFor();
    await expect.poll(() => members.locator('li').count()).toBe(4);
    // Read back into the builder, exactly as built.
    expect(await page.getByLabel('Device value').inputValue()).toBe('ios');
    await page.locator('svg.chart').waitFor();

    // On Dana's page, "why" explains the membership condition by condition.
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    const segs = page.getByTestId('person-segments');
    await expect.poll(async () => (await segs.textContent()) ?? '').toContain('iOS users');
    await segs
      .locator('li', { hasText: 'iOS users' })
      .getByRole('button', { name: /^Why\?/ })
      .click();
    const explain = page.getByTestId('explain');
    await expect.poll(async () => (await explain.textContent()) ?? '').toContain('matches');
    expect(await explain.textContent()).toContain('has a device where');
    expect(await explain.textContent()).toContain('platform equals “ios”');
    await screenshot(page, 'person-why');
  });

  it('draws the activity chart with dates on its axis and a caption that reads at low volume', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Activity' }).click();
    const recent = page.getByTestId('recent-activity');
    await recent.waitFor();
    expect(await recent.textContent()).toContain('Event: purchase');
    await expect.poll(() => page.title()).toBe('Activity · Roster');
    const caption = page.getByTestId('chart-summary');
    // 8 purchases, 7 viewed_pricing, 2 app_opened today: one bar, its count written above it.
    await expect.poll(() => caption.textContent()).toMatch(/^17 events from \w+ \d+ to \w+ \d+; busiest day/);
    expect(await page.locator('svg.chart text.value').textContent()).toBe('17');
    const axis = await page.locator('svg.chart .axes > text').allTextContents();
    expect(axis.every((t) => /[A-Z][a-z]{2} \d{1,2}/.test(t))).toBe(true);
    await page.getByRole('button', { name: 'Hourly' }).click();
    await expect.poll(() => caption.textContent()).toMatch(/busiest hour/);
    // 48 hours cross midnight: a date sits under the hour wherever the day changes.
    const dates = await page.locator('svg.chart tspan.date').allTextContents();
    expect(dates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(dates).size).toBe(dates.length);
    // Choosing a top event filters the feed.
    await page.getByRole('button', { name: /^app_opened: 2 events/ }).click();
    await expect.poll(() => recent.locator('li.activity').count()).toBe(2);
  });

  it('saves APNs credentials and the identifier mode from Settings, never showing a secret again', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const key = makeApnsKey();
    await page.getByLabel('Key ID').fill(key.keyId);
    await page.getByLabel('Team ID').fill('TEAM123456');
    await page.getByLabel('Bundle ID (topic)').fill('com.example.app');
    await page.getByLabel('Private key (.p8)').fill(key.privateKeyPem);
    await page.getByRole('button', { name: 'Save APNs' }).click();
    await page.getByText('APNs credentials saved.').first().waitFor();
    // Which account is configured, in words; never the key.
    await expect.poll(() => page.getByTestId('apns-configured').textContent()).toContain('com.example.app');
    type Ws = { workspace: { identifier_mode: string; push_providers: Array<{ kind: string }> } };
    const workspace = async () => (await appApi(server, 'GET', '/workspace')).body as Ws;
    const body = await workspace();
    expect(body.workspace.push_providers.map((p) => p.kind)).toContain('apns');
    expect(JSON.stringify(body)).not.toContain('PRIVATE KEY');

    const mode = () => workspace().then((w) => w.workspace.identifier_mode);
    await page.getByLabel('ID only').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(mode, { timeout: 10_000 }).toBe('id');
    // Back to the default, for the tests that follow.
    await page.getByLabel('Email or ID (default): either identifies a person').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(mode, { timeout: 10_000 }).toBe('email_or_id');
  });

  it('is usable from the keyboard: skip link, labelled controls, visible focus', async () => {
    const { page } = browser;
    await signIn(page, server);
    // After signing in the keyboard starts at the page's heading.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    // On a fresh load, the first Tab reaches the skip link.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    // The nav and the search box are reachable with Tab alone.
    const reached: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(
          () => document.activeElement?.getAttribute('id') || document.activeElement?.textContent || '',
        ),
      );
    }
    expect(reached).toEqual(expect.arrayContaining(['Segments', 'Messages', 'people-q']));
    // Every form control on the page has an accessible name.
    await page.getByTestId('people-table').waitFor();
    await page.getByRole('button', { name: 'Filter with conditions' }).click();
    await page.getByTestId('condition-builder').waitFor();
    await page.getByLabel('Add a condition to this group').selectOption('event');
    const unnamed = await page.evaluate(() =>
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
    expect(unnamed).toEqual([]);
    expect(errors).toEqual([]);
  });
});
