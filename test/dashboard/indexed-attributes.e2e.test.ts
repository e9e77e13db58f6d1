import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appApi, chromiumAvailable, collectErrors, launch, signIn, type Browser } from './helpers.js';

type List = { indexed_attributes: Array<{ name: string; type: string; status: string }> };

/**
 * Settings → Indexed attributes (docs/app-api.md "Indexed attributes"): an operator indexes an
 * attribute, watches it turn ready, is told plainly when a name cannot be indexed, and removes it.
 */
describe.skipIf(!chromiumAvailable())('dashboard: indexed attributes', () => {
  let server: ServerProcess;
  let browser: Browser;
  let errors: string[];

  const indexed = async () =>
    ((await appApi(server, 'GET', '/indexed_attributes')).body as List).indexed_attributes.map(
      (a) => `${a.name}:${a.type}:${a.status}`,
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

  it('indexes an attribute from Settings, shows it ready, refuses an identifier, and removes it', async () => {
    const { page } = browser;
    page.on('dialog', (d) => void d.accept());
    await signIn(page, server);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 2, name: 'Indexed attributes' }).waitFor();
    await page.getByText('No attribute is indexed yet.').waitFor();

    await page.getByLabel('Attribute to index').fill('plan');
    await page.getByLabel('Index type').selectOption('number');
    await page.getByRole('button', { name: 'Index attribute' }).click();
    // The list refreshes itself while the index builds.
    await page.getByTestId('indexed-attributes').getByText('ready').waitFor({ timeout: 30_000 });
    expect(await indexed()).toEqual(['plan:number:ready']);

    await page.getByLabel('Attribute to index').fill('email');
    await page.getByRole('button', { name: 'Index attribute' }).click();
    await page.getByText('email is an identifier and is always indexed', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Remove plan number' }).click();
    await page.getByText('No attribute is indexed yet.').waitFor();
    expect(await indexed()).toEqual([]);
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  });
});
