import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  launch,
  seed,
  signIn,
  type Browser,
  type Seeded,
} from './helpers.js';

type Activity = { type: string; data: { segment_id: number } };

/**
 * A segment built elsewhere (the API) opens in the builder as it was saved, can be changed and
 * saved, and the change recomputes its members with entries and exits recorded; renaming leaves
 * the conditions (and the members) alone. The newcomer trial's complaints are the assertions.
 */
describe.skipIf(!chromiumAvailable())('dashboard segment editing', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let browser: Browser;
  let errors: string[];
  let id: number;

  const transitions = async (person: string): Promise<string[]> => {
    const r = await appApi(server, 'GET', `/customers/${person}/activities?limit=50`);
    return (r.body as { activities: Activity[] }).activities
      .filter((a) => a.type.endsWith('_segment') && Number(a.data.segment_id) === id)
      .map((a) => a.type)
      .reverse();
  };
  const members = async () =>
    ((await appApi(server, 'GET', `/segments/${id}/membership`)).body as { ids: string[] }).ids.sort();

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    seeded = await seed(server);
    const r = await appApi(server, 'POST', '/segments', {
      segment: {
        name: 'Engaged pros',
        description: 'Pro plan, an Android phone, and a purchase this month',
        conditions: {
          and: [
            { attribute: { field: 'plan', operator: 'in', value: ['pro', 'team'] } },
            { device: { and: [{ attribute: { field: 'platform', operator: 'eq', value: 'android' } }] } },
            { event: { name: 'purchase', within: '30d' } },
          ],
        },
      },
    });
    id = (r.body as { segment: { id: number } }).segment.id;
    browser = await launch();
    errors = collectErrors(browser.page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('shows the saved conditions in the builder, with no contradictory copy', async () => {
    const { page } = browser;
    expect(await members()).toEqual(['dana', 'user-12']);
    await signIn(page, server);
    await page.goto(`${server.url}/segments/${id}`);
    await page.getByRole('heading', { level: 1, name: 'Engaged pros' }).waitFor();
    await expect.poll(() => page.title()).toBe('Engaged pros · Segments · Roster');
    expect(await page.getByLabel('Attribute field').inputValue()).toBe('plan');
    expect(await page.getByLabel('Attribute operator').inputValue()).toBe('in');
    expect(await page.getByLabel('Attribute value').inputValue()).toBe('pro, team');
    expect(await page.getByLabel('Device value').inputValue()).toBe('android');
    expect(await page.getByLabel('Event name').inputValue()).toBe('purchase');
    expect(await page.getByLabel('Time window (leave empty for any time)').inputValue()).toBe('30');
    await expect.poll(() => page.getByTestId('live-count-value').textContent()).toBe('2');
    const text = (await page.locator('main').textContent()) ?? '';
    for (const wrong of ['does not return', 'matches everyone', 'Manual: added'])
      expect(text).not.toContain(wrong);
  });

  it('saves an edit: members are recomputed, with an entry and an exit recorded', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/segments/${id}`);
    await page.getByRole('heading', { level: 1, name: 'Engaged pros' }).waitFor();
    // Android → iOS: Dana has both, so stays; user-12 (Android only) leaves; user-24 (pro, iOS, a
    // purchase) enters.
    await page.getByLabel('Device value').fill('ios');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByText('Saved. Membership was recomputed with the new conditions.').waitFor();
    expect(await members()).toEqual(['dana', 'user-24']);
    await expect.poll(() => page.getByTestId('members').textContent()).toContain('user-24');
    expect(await transitions('user-24')).toEqual(['entered_segment']);
    expect(await transitions('user-12')).toEqual(['entered_segment', 'exited_segment']);
    expect(await transitions('dana')).toEqual(['entered_segment']);

    // Drop the purchase and require Android again: user-24 leaves, user-12 is back.
    await page.getByRole('button', { name: 'Remove event condition 3' }).click();
    await page.getByLabel('Device value').fill('android');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByText('Saved. Membership was recomputed with the new conditions.').waitFor();
    expect(await members()).toEqual(['dana', 'user-12']);
    expect(await transitions('user-24')).toEqual(['entered_segment', 'exited_segment']);
    expect(await transitions('user-12')).toEqual(['entered_segment', 'exited_segment', 'entered_segment']);
    const saved = await appApi(server, 'GET', `/segments/${id}`);
    expect((saved.body as { segment: { conditions: unknown } }).segment.conditions).toEqual({
      and: [
        { attribute: { field: 'plan', operator: 'in', value: ['pro', 'team'] } },
        { device: { and: [{ attribute: { field: 'platform', operator: 'eq', value: 'android' } }] } },
      ],
    });
  });

  it('renames without touching the conditions or the members', async () => {
    const { page } = browser;
    const before = await appApi(server, 'GET', `/segments/${id}`);
    await signIn(page, server);
    await page.goto(`${server.url}/segments/${id}`);
    await page.getByLabel('Name', { exact: true }).fill('Pros on Android');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pros on Android' }).waitFor();
    await page.getByText('Saved.', { exact: true }).waitFor();
    const after = await appApi(server, 'GET', `/segments/${id}`);
    expect((after.body as { segment: { conditions: unknown } }).segment.conditions).toEqual(
      (before.body as { segment: { conditions: unknown } }).segment.conditions,
    );
    expect(await transitions('dana')).toEqual(['entered_segment']);
    // The list reads the rule in words.
    await page.getByRole('link', { name: 'Segments', exact: true }).first().click();
    const row = page.getByTestId('segments-table').locator('tr', { hasText: 'Pros on Android' });
    await expect
      .poll(() => row.getByTestId('segment-rule').textContent())
      .toBe('plan is one of “pro”, “team” and has a device where platform equals “android”');
    expect(errors).toEqual([]);
  });

  it('offers manual or dynamic only when creating, and says why', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/segments/new`);
    await page.getByLabel(/People added by hand/).check();
    expect(await page.getByTestId('condition-builder').count()).toBe(0);
    expect(await page.getByText('The type cannot be changed later.').count()).toBe(1);
    await page.getByLabel('Name', { exact: true }).fill('Beta testers');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Beta testers' }).waitFor();
    expect(await page.getByRole('radio').count()).toBe(0);
    expect(await page.getByTestId('segment-type').textContent()).toContain('Manual');
    void seeded;
  });
});
