import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { chromiumAvailable, launch, screenshot, signIn, type Browser } from './helpers.js';

/** A new workspace's People page says how to get the first person in, with a command that works. */
describe.skipIf(!chromiumAvailable())('dashboard first run', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('shows a copy-paste identify that brings the first person in', async () => {
    const { page } = browser;
    await signIn(page, server);
    const firstRun = page.getByTestId('first-run');
    await expect.poll(() => firstRun.locator('pre').textContent()).toContain(server.credentials.siteId);
    await screenshot(page, 'people-first-run');
    const command = (await firstRun.locator('pre').textContent())!.replace(
      'TRACKING_API_KEY',
      server.credentials.apiKey,
    );
    execFileSync('sh', ['-c', `${command} --fail --silent`]);
    await page.reload();
    await page.getByRole('link', { name: 'dana@example.com' }).waitFor();
  });
});
