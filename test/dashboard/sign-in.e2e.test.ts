import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { chromiumAvailable, launch, seed, signIn, type Browser, type Seeded } from './helpers.js';

const stored = (page: Page) =>
  page.evaluate(() => ({
    tab: sessionStorage.getItem('roster.appApiKey'),
    device: localStorage.getItem('roster.appApiKey'),
  }));

/**
 * Where the dashboard keeps the App API key: this tab only, or this device when asked; and that a
 * key that stops working (rotated from the CLI, another browser or Settings) signs people out.
 * Pages of one browser context share localStorage, as a browser's tabs do.
 */
describe.skipIf(!chromiumAvailable())('dashboard sign-in', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let browser: Browser;
  let key: string;

  const rotateAppKey = async (): Promise<string> => {
    const res = await fetch(`${server.appUrl}/workspace/rotate-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ app: true }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { app_api_key: string }).app_api_key;
  };

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    seeded = await seed(server);
    key = server.credentials.appApiKey;
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  const signInWith = async (page: Page, remember: boolean) => {
    server.credentials.appApiKey = key;
    await signIn(page, server, { remember });
  };

  it('asks again in a new tab unless "Remember on this device" was ticked, and keeps the deep link', async () => {
    const { page, context } = browser;
    await signInWith(page, false);
    expect(await stored(page)).toEqual({ tab: key, device: null });
    const other = await context.newPage();
    await other.goto(`${server.url}/people/${seeded.danaCioId}`);
    await other.getByLabel('App API key').waitFor();
    await other.getByLabel('App API key').fill(key);
    await other.getByRole('button', { name: 'Sign in' }).click();
    // Signing in lands on the page the link named.
    await other.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();
    await other.close();

    await signInWith(page, true);
    expect(await stored(page)).toEqual({ tab: null, device: key });
    const tab = await context.newPage();
    await tab.goto(`${server.url}/people/${seeded.danaCioId}`);
    await tab.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();
    await tab.close();
  });

  it('signs every tab out when the key is rotated elsewhere, and forgets it on the device', async () => {
    const { page, context } = browser;
    await signInWith(page, true);
    const second = await context.newPage();
    await second.goto(`${server.url}/segments`);
    await second.getByRole('heading', { level: 1, name: 'Segments' }).waitFor();
    // Both tabs idle, so the first request with the old key is the one this tab makes below.
    await second.waitForLoadState('networkidle');
    await page.waitForLoadState('networkidle');

    key = await rotateAppKey(); // as `roster workspace rotate-keys --app` or another browser would
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByLabel('App API key').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('You were signed out');
    expect(await stored(page)).toEqual({ tab: null, device: null });
    // The other tab follows at once (the device's key is gone), without a reload.
    await second.getByLabel('App API key').waitFor();
    await second.close();

    // The new key works.
    await page.getByLabel('App API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Segments' }).waitFor();
  });

  it('signs out every tab of the device from one', async () => {
    const { page, context } = browser;
    await signInWith(page, true);
    const second = await context.newPage();
    await second.goto(`${server.url}/activity`);
    await second.getByRole('heading', { level: 1, name: 'Activity' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('App API key').waitFor();
    await second.getByLabel('App API key').waitFor();
    expect(await stored(second)).toEqual({ tab: null, device: null });
    await second.close();
  });

  it('stays signed in, on this device, after rotating the App key from Settings', async () => {
    const { page } = browser;
    await signInWith(page, true);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel(/App API key \(this dashboard/).check();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    const shown = page.getByTestId('new-keys');
    await shown.waitFor();
    const fresh = (await shown.locator('code.secret').textContent())!;
    expect(fresh).not.toBe(key);
    key = fresh;
    expect(await stored(page)).toEqual({ tab: null, device: fresh });
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByTestId('people-table').waitFor();
  });
});
