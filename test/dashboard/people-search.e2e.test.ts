import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from './helpers.js';

/**
 * Finding people: by the start of an id or email (the prefix search), by an attribute's value, and
 * with the conditions builder; how many match; "Save as segment" from any of them; and builder
 * problems shown on the row that has them.
 */
describe.skipIf(!chromiumAvailable())('dashboard people search', () => {
  let server: ServerProcess;
  let browser: Browser;
  let errors: string[];

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    await seed(server);
    browser = await launch();
    errors = collectErrors(browser.page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  const rows = () => browser.page.getByTestId('people-table').locator('tbody tr');
  const count = () => browser.page.getByTestId('match-count').textContent();

  it('finds people by the start of an id or email, says how many, and keeps the search in the URL', async () => {
    const { page } = browser;
    await signIn(page, server);
    const box = page.getByLabel('Search by the start of an id or email, or a whole cio_id');
    await box.fill('user-1');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // user-10 … user-19
    await expect.poll(count).toBe('10 people match');
    await expect.poll(() => rows().count()).toBe(10);
    expect(await page.getByTestId('match-summary').textContent()).toContain(
      'whose id or email starts with “user-1”',
    );
    expect(new URL(page.url()).search).toBe('?q=user-1');
    // Emails match in any case; a reload keeps the search.
    await box.fill('LEE@');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(count).toBe('1 person matches');
    await page.reload();
    await expect.poll(count).toBe('1 person matches');
    await expect.poll(() => rows().first().textContent()).toContain('lee@example.com');
  });

  it('finds people by an attribute’s value, with the filter language underneath', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByLabel('Attribute name').fill('plan');
    await page.getByLabel('Attribute value').fill('pro');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // sam, and user-03, -06, … -27 (every third): dana moved to "team".
    await expect.poll(count).toBe('10 people match');
    await page.getByLabel('Attribute test').selectOption('contains');
    await page.getByLabel('Attribute value').fill('t');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(count).toBe('1 person matches');
    await expect.poll(() => rows().first().textContent()).toContain('dana@example.com');
  });

  it('saves a search as a segment with the same people in it', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByLabel('Search by the start of an id or email, or a whole cio_id').fill('user-2');
    await page.getByLabel('Attribute name').fill('plan');
    await page.getByLabel('Attribute value').fill('free');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // user-20 … user-27 without the pro ones (21, 24, 27: every third).
    await expect.poll(count).toBe('5 people match');
    await page.getByRole('button', { name: 'Save as segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    // The conditions arrive in the builder; the live count agrees with the search.
    await expect
      .poll(() => page.getByTestId('live-count-value').textContent(), { timeout: 10_000 })
      .toBe('5');
    await page.getByLabel('Name', { exact: true }).fill('Free, user-2x');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Free, user-2x' }).waitFor();
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const members = await appApi(server, 'GET', `/segments/${id}/membership`);
    expect((members.body as { ids: string[] }).ids.sort()).toEqual([
      'user-20',
      'user-22',
      'user-23',
      'user-25',
      'user-26',
    ]);
  });

  it('filters with the conditions builder, and shows problems on the row that has them', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('button', { name: 'Filter with conditions' }).click();
    await page.getByLabel('Add a condition to this group').selectOption('attribute');
    await page.getByLabel('Attribute field').fill('team_size');
    await page.getByLabel('Attribute operator').selectOption('gt');
    await page.getByLabel('Attribute value').last().fill('twenty');
    await page.getByRole('button', { name: 'Apply conditions' }).click();
    const row = page.locator('li.cond-item.invalid');
    await row.waitFor();
    expect(await row.getByTestId('row-error').textContent()).toBe(
      '“is greater than” needs a number, such as 10 or 2.5',
    );
    expect(await row.getAttribute('data-pointer')).toBe('/and/0');
    await page.getByLabel('Attribute value').last().fill('24');
    await expect.poll(() => page.locator('li.cond-item.invalid').count()).toBe(0);
    await page.getByRole('button', { name: 'Apply conditions' }).click();
    await expect.poll(count).toBe('3 people match');
    expect(await page.getByTestId('match-summary').textContent()).toContain(
      'where team_size is greater than 24',
    );
    expect(errors).toEqual([]);
  });

  it('puts the server’s objection on the row it points at, in plain words', async () => {
    const { page } = browser;
    // Two segments that would refer to each other: the server finds the cycle, not the builder.
    const a = await appApi(server, 'POST', '/segments', {
      segment: { name: 'A', conditions: { attribute: { field: 'plan', operator: 'exists' } } },
    });
    const aId = (a.body as { segment: { id: number } }).segment.id;
    const b = await appApi(server, 'POST', '/segments', {
      segment: { name: 'B', conditions: { segment: { id: aId } } },
    });
    const bId = (b.body as { segment: { id: number } }).segment.id;
    await signIn(page, server);
    await page.goto(`${server.url}/segments/${aId}`);
    await page.getByRole('heading', { level: 1, name: 'A' }).waitFor();
    await page.getByLabel('Add a condition to this group').selectOption('segment');
    await page.getByLabel('Segment', { exact: true }).selectOption(String(bId));
    await page.getByRole('button', { name: 'Save segment' }).click();
    const row = page.locator('li.cond-item.invalid');
    await row.waitFor();
    expect(await row.getAttribute('data-pointer')).toBe('/and/1');
    expect(await row.getByTestId('row-error').textContent()).toBe(
      `segments would depend on each other in a loop (${aId} → ${bId} → ${aId})`,
    );
    await screenshot(page, 'builder-error');
    // Nothing was saved.
    const after = await appApi(server, 'GET', `/segments/${aId}`);
    expect((after.body as { segment: { conditions: unknown } }).segment.conditions).toEqual({
      attribute: { field: 'plan', operator: 'exists' },
    });
  });
});
