import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { chromiumAvailable, collectErrors, launch, signIn, type Browser } from './helpers.js';

const OLD_WRITE_KEY = 'wk_dashboard_test_old_key_0001';

/**
 * Settings rotates the Pipelines write key with an overlap: the new key is shown once, with when
 * the old one stops, and both are accepted by the Pipelines API until then.
 */
describe.skipIf(!chromiumAvailable())('dashboard key rotation', () => {
  let server: ServerProcess;
  let browser: Browser;

  /** A Pipelines identify sent with a write key (HTTP Basic, the key as user name). */
  const identifyWith = async (key: string, userId: string): Promise<number> => {
    const res = await fetch(`${server.url}/v1/identify`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId, traits: { plan: 'free' } }),
    });
    await res.text();
    return res.status;
  };

  beforeAll(async () => {
    server = await startServer({
      engine: 'sqlite',
      env: { ROSTER_LOG_LEVEL: 'warn', ROSTER_WRITE_KEY: OLD_WRITE_KEY },
    });
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('rotates the write key with an overlap, shows it once with the expiry, and both keys work', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    expect(await identifyWith(OLD_WRITE_KEY, 'before')).toBe(200);
    await signIn(page, server);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel(/Pipelines write key \(wk_/).check();
    await page.getByLabel('Old write keys keep working for').selectOption({ label: '7 days' });
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    const shown = page.getByTestId('new-keys');
    await shown.waitFor();
    expect(asked).toBe('Rotate the Pipelines write key? The old write key keeps working for 7 days.');
    const fresh = (await shown.locator('code.secret').textContent())!;
    expect(fresh).toMatch(/^wk_/);
    expect(fresh).not.toBe(OLD_WRITE_KEY);
    await expect.poll(() => page.getByTestId('write-key-overlap').textContent()).toMatch(/^accepted until /);
    const until = Date.parse(
      (await page.getByTestId('write-key-overlap').locator('time').getAttribute('datetime'))!,
    );
    const week = 7 * 86_400_000;
    expect(until).toBeGreaterThan(Date.now() + week - 3_600_000);
    expect(until).toBeLessThanOrEqual(Date.now() + week);
    expect(await page.getByRole('status').textContent()).toMatch(/Copy the new key now/);

    expect(await identifyWith(fresh, 'with-new')).toBe(200);
    expect(await identifyWith(OLD_WRITE_KEY, 'with-old')).toBe(200);
    expect(await identifyWith('wk_never_issued', 'nobody')).toBe(401);

    // Shown once: after a reload the page no longer has it.
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Keys' }).waitFor();
    expect(await page.getByTestId('new-keys').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('rotating with "stop at once" retires the old write key immediately', async () => {
    const { page } = browser;
    await page.getByLabel(/Pipelines write key \(wk_/).check();
    await page
      .getByLabel('Old write keys keep working for')
      .selectOption({ label: 'Stop at once (the key leaked)' });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await expect.poll(() => page.getByTestId('write-key-overlap').textContent()).toBe('stopped working');
    const fresh = (await page.getByTestId('new-keys').locator('code.secret').textContent())!;
    expect(await identifyWith(fresh, 'newest')).toBe(200);
    expect(await identifyWith(OLD_WRITE_KEY, 'too-late')).toBe(401);
  });
});
