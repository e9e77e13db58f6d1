import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  launch,
  nameObjectType,
  screenshot,
  seed,
  signIn,
  type Browser,
  v2Batch,
  type Seeded,
} from './helpers.js';

const company = (id: string, attributes: Record<string, unknown>, people: Array<[string, string]> = []) => ({
  type: 'object',
  action: 'identify',
  identifiers: { object_type_id: '1', object_id: id },
  attributes,
  cio_relationships: people.map(([person, role]) => ({
    identifiers: { id: person },
    relationship_attributes: { role },
  })),
});

/**
 * Objects in the dashboard (docs/objects.md "In the dashboard"), against a real server and
 * Debian's chromium: the Objects list by type with search and pages, an object's page, a person's
 * objects, and object conditions in the segment builder saved as the App API takes them.
 */
describe.skipIf(!chromiumAvailable())('dashboard objects', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let browser: Browser;
  let errors: string[];

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    seeded = await seed(server);
    const members: Array<[string, string]> = Array.from({ length: 27 }, (_, i) => [
      `user-${String(i + 1).padStart(2, '0')}`,
      'member',
    ]);
    await v2Batch(server, [
      company('acme', { name: 'Acme', plan: 'pro', seats: 120 }, [
        ['dana', 'admin'],
        ['lee', 'member'],
        ...members,
      ]),
      company('globex', { name: 'Globex', plan: 'pro', seats: 8 }, [
        ['sam', 'admin'],
        ['dana', 'member'],
      ]),
      ...Array.from({ length: 28 }, (_, i) =>
        company(`co-${String(i + 1).padStart(2, '0')}`, { plan: 'free', seats: i + 1 }),
      ),
      {
        type: 'object',
        action: 'identify',
        identifiers: { object_type_id: '2', object_id: 'yoga-101' },
        attributes: { name: 'Morning yoga' },
        cio_relationships: [{ identifiers: { id: 'dana' }, relationship_attributes: { seat: 4 } }],
      },
    ]);
    // A change for Acme's timeline.
    await v2Batch(server, [company('acme', { plan: 'enterprise' })]);
    await nameObjectType(server, '1', 'Companies', 'Company');
    await nameObjectType(server, '2', 'Classes', 'Class');
    browser = await launch();
    errors = collectErrors(browser.page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it('lists objects beside People: a type at a time, searched and paged', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Objects' }).click();
    await page.getByRole('heading', { level: 1, name: 'Objects' }).waitFor();
    const picker = page.getByLabel('Object type');
    await expect
      .poll(() => picker.locator('option').allTextContents())
      .toEqual(['Companies (30)', 'Classes (1)']);
    expect(await page.getByTestId('objects-count').textContent()).toBe('30 Companies');
    const rows = page.getByTestId('objects-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    await expect.poll(() => page.title()).toBe('Companies · Objects · Roster');

    // Pages never repeat an object.
    const first = await rows.locator('th').allTextContents();
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => rows.count()).toBe(5);
    const second = await rows.locator('th').allTextContents();
    expect(new Set([...first, ...second]).size).toBe(30);
    await page.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(() => rows.count()).toBe(25);

    // The search box: the start of an id or a name.
    await page.getByLabel('Search by the start of an object id or name').fill('Glo');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['Globex']);
    expect(page.url()).toContain('q=Glo');

    // An attribute's value, in the same filter language as people search.
    await page.getByRole('button', { name: 'Clear search' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    await page.getByLabel('Attribute name').fill('plan');
    await page.getByLabel('Attribute value').fill('enterprise');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['Acme']);

    // Conditions: seats over 20, any plan.
    await page.getByRole('button', { name: 'Clear search' }).click();
    await page.getByRole('button', { name: 'Filter with conditions' }).click();
    await page.getByRole('button', { name: '+ Object attribute field' }).click();
    await page.getByLabel('Object attribute field').fill('seats');
    await page.getByLabel('Object attribute operator').selectOption('gt');
    await page.getByLabel('Object attribute value').fill('20');
    await page.getByRole('button', { name: 'Apply conditions' }).click();
    await expect
      .poll(async () => (await rows.locator('th').allTextContents()).sort())
      .toEqual(['Acme', 'co-21', 'co-22', 'co-23', 'co-24', 'co-25', 'co-26', 'co-27', 'co-28']);
    await screenshot(page, 'objects-search');

    // Another type.
    await page.getByLabel('Object type').selectOption('2');
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual(['Morning yoga']);
    expect(page.url()).toContain('type=2');
    expect(page.url()).not.toContain('filter=');
  });

  it("shows an object's page: attributes, related people with their roles (paged), timeline", async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/objects?type=1&q=acme`);
    await page.getByTestId('objects-table').getByRole('link', { name: 'Acme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/objects/1/acme');
    await expect.poll(() => page.title()).toBe('Acme · Companies · Roster');
    const ids = page.getByTestId('object-identifiers');
    expect(await ids.textContent()).toContain('Companies (1)');
    expect(await ids.textContent()).toMatch(/ob[0-9a-f]{16}/);
    const attrs = page.getByTestId('attributes');
    expect(await attrs.locator('tr', { hasText: 'plan' }).locator('td').first().textContent()).toBe(
      'enterprise',
    );
    expect(await attrs.locator('tr', { hasText: 'seats' }).locator('td').first().textContent()).toBe('120');

    const people = page.getByTestId('related-people').locator('tbody tr');
    await expect.poll(() => people.count()).toBe(25);
    const dana = people.filter({ hasText: 'dana@example.com' });
    expect(await dana.getByTestId('relationship-attributes').textContent()).toBe('roleadmin');
    const pageOne = await people.locator('th').allTextContents();
    await page
      .getByRole('navigation', { name: 'Related people pages' })
      .getByRole('button', { name: 'Next →' })
      .click();
    await expect.poll(() => people.count()).toBe(4);
    const pageTwo = await people.locator('th').allTextContents();
    expect(new Set([...pageOne, ...pageTwo]).size).toBe(29);

    const timeline = page.getByTestId('timeline');
    const change = timeline.locator('li', { hasText: 'Attributes changed' });
    await change.waitFor();
    expect(await change.textContent()).toMatch(/plan: pro → enterprise/);
    expect(await timeline.locator('li', { hasText: 'Person related' }).count()).toBeGreaterThan(0);

    // A related person's link leads to their page.
    await page
      .getByRole('navigation', { name: 'Related people pages' })
      .getByRole('button', { name: '← Previous' })
      .click();
    await people.getByRole('link', { name: 'dana@example.com' }).click();
    await page.getByRole('heading', { level: 1, name: 'dana@example.com' }).waitFor();

    // An unknown object says so.
    await page.goto(`${server.url}/objects/1/nope`);
    await page.getByRole('heading', { level: 1, name: 'Object not found' }).waitFor();
  });

  it("lists a person's objects with type, id, name and relationship attributes, linking to each", async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    const table = page.getByTestId('person-objects');
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const text = async (name: string) =>
      ((await rows.filter({ hasText: name }).allTextContents())[0] ?? '').replace(/\s+/g, ' ');
    expect(await text('Acme')).toBe('AcmeCompanyacmeroleadmin');
    expect(await text('Globex')).toBe('GlobexCompanyglobexrolemember');
    expect(await text('Morning yoga')).toBe('Morning yogaClassyoga-101seat4');
    // Dana's timeline says she was related, linking to the object.
    await page.getByTestId('timeline').locator('li', { hasText: 'Related to' }).first().waitFor();

    await table.getByRole('link', { name: 'Globex' }).click();
    await page.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/objects/1/globex');
  });

  it('builds a segment on related objects and saves it as the App API takes it', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/segments/new`);
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Enterprise admins');
    await page.getByLabel('Add a condition to this group').selectOption('object');
    await page.getByLabel('Object type').selectOption({ label: 'Companies' });
    // Related to any company: Dana, Lee, Sam and user-01..27.
    const live = page.getByTestId('live-count-value');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe('30');
    await page.getByRole('button', { name: '+ Object attribute field' }).click();
    await page.getByLabel('Object attribute field').fill('plan');
    await page.getByLabel('Object attribute value').fill('enterprise');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe('29');
    await page.getByRole('button', { name: '+ Relationship attribute field' }).click();
    await page.getByLabel('Relationship attribute field').fill('role');
    await page.getByLabel('Relationship attribute value').fill('admin');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe('1');
    await screenshot(page, 'segment-objects');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Enterprise admins' }).waitFor();

    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const saved = await appApi(server, 'GET', `/segments/${id}`);
    expect((saved.body as { segment: { conditions: unknown } }).segment.conditions).toEqual({
      and: [
        {
          object: {
            type_id: '1',
            where: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } }] },
            relationship: { and: [{ attribute: { field: 'role', operator: 'eq', value: 'admin' } }] },
          },
        },
      ],
    });
    const members = page.getByTestId('members');
    await expect.poll(async () => (await members.textContent()) ?? '').toContain('dana@example.com');
    expect(await members.locator('li').count()).toBe(1);
    // Read back into the builder as built.
    expect(await page.getByLabel('Object type').inputValue()).toBe('1');
    expect(await page.getByLabel('Object attribute value').inputValue()).toBe('enterprise');
    expect(await page.getByLabel('Relationship attribute value').inputValue()).toBe('admin');

    // On Dana's page, "Why?" names the company that made the difference.
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    const segs = page.getByTestId('person-segments');
    await segs
      .locator('li', { hasText: 'Enterprise admins' })
      .getByRole('button', { name: /^Why\?/ })
      .click();
    const explain = page.getByTestId('explain');
    await expect.poll(async () => (await explain.textContent()) ?? '').toContain('matches');
    // The type's name arrives with the object types, which may come after the explanation.
    await expect.poll(async () => (await explain.textContent()) ?? '').toContain('is related to a Company');
    const seen = explain.getByTestId('explain-objects');
    expect(await seen.textContent()).toBe(' — related to 2 of this type; matching: acme');
    await seen.getByRole('link', { name: 'acme' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme' }).waitFor();

    // The list says it in words, with the type's name.
    await page.goto(`${server.url}/segments`);
    const rule = page
      .getByTestId('segments-table')
      .locator('tr', { hasText: 'Enterprise admins' })
      .getByTestId('segment-rule');
    await expect
      .poll(() => rule.textContent())
      .toBe(
        'is related to a Company whose plan equals “enterprise”, where the relationship has role equals “admin”',
      );

    // A segment made through the App API in the documented shape opens in the builder.
    const api = await appApi(server, 'POST', '/segments', {
      segment: {
        name: 'Not in a class',
        conditions: { not: { object: { type_id: '2' } } },
      },
    });
    const apiId = (api.body as { segment: { id: number } }).segment.id;
    await page.goto(`${server.url}/segments/${apiId}`);
    await page.getByRole('heading', { level: 1, name: 'Not in a class' }).waitFor();
    expect(await page.getByLabel('Object type').inputValue()).toBe('2');
    await expect.poll(() => live.textContent(), { timeout: 10_000 }).toBe(String(30 - 1));
    expect(errors).toEqual([]);
  });
});
