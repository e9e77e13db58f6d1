import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApnsKey } from '../fakes/push-credentials.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  launch,
  requireRoute,
  screenshot,
  seed,
  signIn,
  type Browser,
  type Seeded,
} from './helpers.js';

/**
 * The dashboard end to end: a real `roster serve` seeded through the Track API, driven by Debian's
 * chromium through playwright-core. One browser for the suite; each test signs in afresh.
 */
describe.skipIf(!chromiumAvailable())('dashboard', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'info' } });
    seeded = await seed(server);
    browser = await launch();
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

  it('signs in with the App API key (and rejects a wrong one)', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/`);
    await screenshot(page, 'login');
    await page.getByLabel('App API key').fill('app_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not accepted');
    await page.getByLabel('App API key').fill(server.credentials.appApiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    // The key lives in sessionStorage only.
    const stored = await page.evaluate(() => [
      sessionStorage.getItem('roster.appApiKey'),
      JSON.stringify(localStorage),
    ]);
    expect(stored[0]).toBe(server.credentials.appApiKey);
    expect(stored[1]).not.toContain(server.credentials.appApiKey);
  });

  it('lists people with pagination and finds a person by email', async () => {
    const { page } = browser;
    await signIn(page, server);
    const table = page.getByTestId('people-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(25);
    await screenshot(page, 'people');
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText('Page 2', { exact: true }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(5);
    await page.getByLabel('Find a person by id, email or cio_id').fill('dana@example.com');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'dana@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/people/${seeded.danaCioId}`);
  });

  it('filters people with the condition builder', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('button', { name: 'Filter with conditions' }).click();
    await page.getByLabel('Add a condition to this group').selectOption('attribute');
    await page.getByLabel('Attribute field').fill('plan');
    await page.getByLabel('Attribute value').fill('team');
    // The People search (spec §5.2 #3) must evaluate attribute filters; say so plainly when it cannot.
    const direct = await appApi(server, 'POST', '/customers', {
      filter: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'team' } }] },
    });
    expect(direct.status, `POST /v1/customers with an attribute filter: ${JSON.stringify(direct.body)}`).toBe(
      200,
    );
    await page.getByRole('button', { name: 'Apply conditions' }).click();
    const table = page.getByTestId('people-table');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.textContent()).toContain('dana@example.com');
  });

  it("shows a person's identifiers, attributes, devices, timeline and segments", async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    await page.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();

    const ids = await page.getByTestId('identifiers').textContent();
    expect(ids).toContain('dana');
    expect(ids).toContain(seeded.danaCioId);

    const attrs = page.getByTestId('attributes');
    expect(await attrs.textContent()).toContain('team');
    // Nested values as JSON.
    expect(await attrs.locator('pre.json').first().textContent()).toContain('"city": "Lisbon"');

    const devices = page.getByTestId('devices');
    const text = (await devices.textContent()) ?? '';
    for (const s of ['ios', 'iPhone15,2', '17.4', '2.3.0', 'android', 'Pixel 8', 'unused'])
      expect(text).toContain(s);

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
    await screenshot(page, 'person');

    await page.getByLabel('Show', { exact: true }).selectOption('event');
    await expect.poll(async () => (await timeline.textContent()) ?? '').not.toContain('Device added');
  });

  it('lists segments with counts and shows membership', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Segments' }).click();
    const table = page.getByTestId('segments-table');
    await table.waitFor();
    const row = table.locator('tr', { hasText: 'VIP' });
    await expect.poll(async () => (await row.textContent()) ?? '').toMatch(/VIP.*2/);
    await screenshot(page, 'segments');
    await row.getByRole('link', { name: 'VIP' }).click();
    const members = page.getByTestId('members');
    await members.waitFor();
    expect(await members.textContent()).toContain('dana@example.com');
    expect(await members.textContent()).toContain('sam@example.com');
  });

  it('builds a segment with a device condition and shows the live count', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/segments/new`);
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('iOS users');
    await page.getByLabel('Add a condition to this group').selectOption('device');
    // The device block starts with `platform equals ios`.
    expect(await page.getByLabel('Device field').inputValue()).toBe('platform');
    expect(await page.getByLabel('Device value').inputValue()).toBe('ios');
    // Needs Roster's POST /v1/segments/count; fail clearly when the server does not have it yet.
    await requireRoute(server, 'POST', '/segments/count', {
      conditions: { device: { and: [{ attribute: { field: 'platform', operator: 'eq', value: 'ios' } }] } },
    });
    // Dana (iOS) and user-08, user-16, user-24 (iOS every 8th).
    await expect
      .poll(() => page.getByTestId('live-count-value').textContent(), { timeout: 10_000 })
      .toBe('4');
    await page.getByLabel('Device value').fill('android');
    await expect
      .poll(() => page.getByTestId('live-count-value').textContent(), { timeout: 10_000 })
      .toBe('5');
    await page.getByLabel('Device value').fill('ios');
    await expect
      .poll(() => page.getByTestId('live-count-value').textContent(), { timeout: 10_000 })
      .toBe('4');

    await screenshot(page, 'segment-builder');

    // Saved with its conditions (Roster's segment extension), then members and the size chart.
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'iOS users' }).waitFor();
    const members = page.getByTestId('members');
    await members.waitFor();
    await expect.poll(async () => (await members.textContent()) ?? '').toContain('dana@example.com');
    expect(await members.locator('li').count()).toBe(4);
    await page.locator('svg.chart').waitFor();
    await screenshot(page, 'segment');

    // On Dana's page, "why" explains the membership condition by condition.
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    const segs = page.getByTestId('person-segments');
    await expect.poll(async () => (await segs.textContent()) ?? '').toContain('iOS users');
    await segs.locator('li', { hasText: 'iOS users' }).getByRole('button', { name: 'Why?' }).click();
    const explain = page.getByTestId('explain');
    await expect.poll(async () => (await explain.textContent()) ?? '').toContain('matches');
    expect(await explain.textContent()).toContain('has a device where');
    expect(await explain.textContent()).toContain('platform equals “ios”');
    await screenshot(page, 'person-why');
  });

  it('previews a push template with Liquid for a chosen person', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.getByLabel('Title', { exact: true }).fill('Hi {{ customer.first_name }}');
    await page
      .getByLabel('Message', { exact: true })
      .fill('Your plan: {{ customer.plan }} on {{ device.platform }}');
    await page.getByLabel('Person (id, email or cio_id)').fill('dana@example.com');
    await page.getByRole('button', { name: 'Use person' }).click();
    await page.getByLabel('Device', { exact: true }).waitFor();
    await screenshot(page, 'messages');
    // Needs Roster's POST /v1/templates/preview; fail clearly when the server does not have it yet.
    await requireRoute(server, 'POST', '/templates/preview', {
      template: { title: 'x', message: 'y' },
      customer_id: seeded.danaCioId,
      id_type: 'cio_id',
    });
    const rendered = page.getByTestId('preview-rendered');
    await expect.poll(() => rendered.textContent(), { timeout: 10_000 }).toContain('Hi Dana');
    expect(await rendered.textContent()).toContain('Your plan: team on ios');
    // A syntax error is shown with its line.
    await page.getByLabel('Message', { exact: true }).fill('line one\n{{ customer.plan ');
    await expect
      .poll(() => page.getByTestId('preview-error').textContent(), { timeout: 10_000 })
      .toMatch(/line 2/);
  });

  it('shows workspace activity and settings (or says the route is not available yet)', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Activity' }).click();
    const recent = page.getByTestId('recent-activity');
    await recent.waitFor();
    expect(await recent.textContent()).toContain('Event: purchase');
    await screenshot(page, 'activity');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.locator('form, [data-testid=unavailable], [role=alert]').first().waitFor();
    await screenshot(page, 'settings');
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
    type Ws = { workspace: { identifier_mode: string; push_providers: Array<{ kind: string }> } };
    const workspace = async () => {
      const res = await fetch(`${server.appUrl}/workspace`, {
        headers: { authorization: `Bearer ${server.credentials.appApiKey}` },
      });
      return (await res.json()) as Ws;
    };
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

  it('works at phone width and in dark mode', async () => {
    const phone = await launch({ width: 390, height: 844, colorScheme: 'dark' });
    try {
      await signIn(phone.page, server);
      await phone.page.goto(`${server.url}/people/${seeded.danaCioId}`);
      await phone.page.getByTestId('devices').waitFor();
      await phone.page.getByTestId('timeline').waitFor();
      // Nothing wider than the screen: tables scroll inside their own box.
      const overflow = await phone.page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(1);
      const bg = await phone.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe('rgb(15, 17, 21)');
      await screenshot(phone.page, 'person-phone-dark');
    } finally {
      await phone.close();
    }
  });

  it('is usable from the keyboard: skip link, labelled controls, visible focus', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    // Every form control on the People page has an accessible name.
    await page.getByTestId('people-table').waitFor();
    const unnamed = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('input, select, textarea, button')).filter((el) => {
          const id = el.getAttribute('id');
          const label = id ? document.querySelector(`label[for="${id}"]`) : null;
          return (
            !label && !el.closest('label') && !el.getAttribute('aria-label') && !(el.textContent ?? '').trim()
          );
        }).length,
    );
    expect(unnamed).toBe(0);
  });

  it('returns to sign-in when the key stops working', async () => {
    const { page } = browser;
    await signIn(page, server);
    // Let the People page finish its requests first, so the next one is the first to fail.
    await page.getByTestId('people-table').waitFor();
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => sessionStorage.setItem('roster.appApiKey', 'app_revoked'));
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByLabel('App API key').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('no longer accepts');
    expect((await appApi(server, 'GET', '/segments')).status).toBe(200);
  });
});
