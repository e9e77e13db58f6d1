import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  launch,
  screenshot,
  signIn,
  type Browser,
} from './helpers.js';

type Workspace = { workspace: { push_providers: Array<{ kind: string }> } };

/**
 * Settings → Push providers: the development (log) provider is switched on and off here, and the
 * page says plainly, while it is on, which platforms' pushes it is logging instead of delivering.
 */
describe.skipIf(!chromiumAvailable())('dashboard: the development push provider', () => {
  let server: ServerProcess;
  let browser: Browser;
  let errors: string[];

  const kinds = async () =>
    ((await appApi(server, 'GET', '/workspace')).body as Workspace).workspace.push_providers.map(
      (p) => p.kind,
    );

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    browser = await launch();
    errors = collectErrors(browser.page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('turns it on from Settings, says it is active, and turns it off', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expect.poll(() => page.getByTestId('log-provider-active').count()).toBe(0);

    await page.getByRole('button', { name: 'Turn on the development provider' }).click();
    const active = page.getByTestId('log-provider-active');
    await active.waitFor();
    expect(await active.textContent()).toContain('active for iOS, Android and other platforms');
    expect(await kinds()).toEqual(['log']);
    await screenshot(page, 'settings-log-provider');

    await page.getByRole('button', { name: 'Turn off the development provider' }).click();
    await page.getByRole('button', { name: 'Turn on the development provider' }).waitFor();
    expect(await page.getByTestId('log-provider-active').count()).toBe(0);
    expect(await kinds()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
