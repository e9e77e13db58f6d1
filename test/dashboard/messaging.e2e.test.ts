import { TrackClient } from 'customerio-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { configureProviders, startFakes, waitFor, type Fakes } from '../messaging/helpers.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  DANA_IOS_TOKEN,
  launch,
  screenshot,
  seed,
  signIn,
  type Browser,
  type Seeded,
} from './helpers.js';

type Campaign = {
  id: number;
  name: string;
  active: boolean;
  trigger: unknown;
  filter: unknown;
  template: unknown;
};

/**
 * Messages from the dashboard, delivered to loopback APNs and FCM fakes: a template previewed with
 * trigger data, a campaign and a broadcast created, edited and sent here, a test push with trigger
 * data, and deliveries listed by their title and source rather than ids.
 */
describe.skipIf(!chromiumAvailable())('dashboard messaging', () => {
  let server: ServerProcess;
  let seeded: Seeded;
  let fakes: Fakes;
  let browser: Browser;
  let errors: string[];

  /** Everything the fakes received for Dana's two devices, as "title|body". */
  const toDana = () => [
    ...fakes.apns.received
      .filter((r) => r.token === DANA_IOS_TOKEN && r.status === 200)
      .map((r) => {
        const alert = (r.payload.aps as { alert: { title: string; body: string } }).alert;
        return `${alert.title}|${alert.body}`;
      }),
    ...fakes.fcm.received
      .filter((r) => r.token === 'fcm-token-dana-0002' && r.status === 200)
      .map((r) => {
        const n = (r.message as { notification: { title: string; body: string } }).notification;
        return `${n.title}|${n.body}`;
      }),
  ];

  const campaigns = async () =>
    ((await appApi(server, 'GET', '/campaigns')).body as { campaigns: Campaign[] }).campaigns;

  beforeAll(async () => {
    server = await startServer({ engine: 'sqlite', env: { ROSTER_LOG_LEVEL: 'warn' } });
    seeded = await seed(server);
    fakes = await startFakes();
    await configureProviders(server, fakes);
    browser = await launch();
    errors = collectErrors(browser.page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await fakes?.stop();
    await server?.cleanup();
  });

  it('creates a template and previews it for a person with trigger and event data', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.getByLabel('Title', { exact: true }).fill('Hi {{ customer.first_name }}');
    await page
      .getByLabel('Message', { exact: true })
      .fill('Code {{ trigger.code }} on {{ device.platform }}, {{ event.total }}');
    await page.getByLabel('Person (start of id or email, or cio_id)').fill('dan');
    await page.getByRole('button', { name: 'Use person' }).click();
    await page.getByText('Previewing for').waitFor();
    await page.getByLabel('Trigger data (JSON, optional)').fill('{"code": "WELCOME10"}');
    await page.getByLabel('Event data (JSON, optional)').fill('{"total": 42}');
    const rendered = page.getByTestId('preview-rendered');
    await expect
      .poll(() => rendered.textContent(), { timeout: 10_000 })
      .toContain('Code WELCOME10 on ios, 42');
    expect(await rendered.textContent()).toContain('Hi Dana');
    // Data that is not a JSON object is named as such, next to its box.
    await page.getByLabel('Trigger data (JSON, optional)').fill('[1, 2]');
    await page.getByText('Use a JSON object, such as {"code": "WELCOME10"}.').waitFor();
    await page.getByLabel('Trigger data (JSON, optional)').fill('{"code": "WELCOME10"}');
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.getByText('Saved.').first().waitFor();
    // A Liquid syntax error is shown with its line.
    await page.getByLabel('Message', { exact: true }).fill('line one\n{{ customer.plan ');
    await expect
      .poll(() => page.getByTestId('preview-error').textContent(), { timeout: 10_000 })
      .toMatch(/line 2/);
  });

  it('sends a test push from a person’s page with trigger data', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.goto(`${server.url}/people/${seeded.danaCioId}`);
    await page.getByLabel('Template').selectOption({ label: 'Welcome' });
    await page.getByLabel('Device', { exact: true }).selectOption({ index: 2 }); // Dana's iPhone
    await page.getByLabel('Trigger data (JSON, optional)').fill('{"code": "TEST1"}');
    await expect
      .poll(() => page.getByTestId('preview-rendered').textContent())
      .toContain('Code TEST1 on ios');
    await page.getByRole('button', { name: 'Send test push' }).click();
    await page.getByText(/^Queued: delivery/).waitFor();
    await waitFor('the test push at APNs', () => toDana().some((p) => p.includes('Code TEST1 on ios')));
    // The person's Messages card names the message, not its id.
    const card = page.getByTestId('person-messages');
    await expect.poll(() => card.textContent()).toContain('Hi Dana');
    expect(await card.textContent()).toContain('Template “Welcome”');
  });

  it('creates a campaign triggered by an event, which sends when the event happens', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    const form = page.getByTestId('campaign-editor');
    await form.getByLabel('Name', { exact: true }).fill('Purchase thanks');
    await form.getByLabel('Event name').fill('purchase');
    await form.getByLabel('people in a segment').check();
    await form.getByLabel('Segment', { exact: true }).selectOption({ label: 'VIP' });
    await form.getByLabel('a saved template').check();
    await form.getByLabel('Template', { exact: true }).selectOption({ label: 'Welcome' });
    await form.getByLabel('Wait', { exact: true }).fill('0');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await form.getByText('Saved.').waitFor();
    const [created] = (await campaigns()).filter((c) => c.name === 'Purchase thanks');
    expect(created).toMatchObject({
      trigger: { event: 'purchase' },
      filter: { segment: { id: seeded.segmentId } },
      active: true,
    });
    const row = page.getByTestId('campaigns-table').locator('tr', { hasText: 'Purchase thanks' });
    await expect
      .poll(() => row.textContent())
      .toContain('When someone does “purchase”: template “Welcome” to people in “VIP”, at once.');

    const before = toDana().length;
    const track = new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
      url: server.trackUrl,
    });
    await track.track('dana', { name: 'purchase', data: { total: 5 } });
    await waitFor('the campaign push', () => toDana().length >= before + 2);

    // Pausing it is an edit, from the list.
    await form.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => form.count()).toBe(0);
    await row.getByRole('button', { name: /^Edit/ }).click();
    expect(await form.getByLabel('Event name').inputValue()).toBe('purchase');
    await form.getByLabel(/^Active/).uncheck();
    await form.getByRole('button', { name: 'Save campaign' }).click();
    await expect.poll(async () => (await campaigns()).find((c) => c.id === created!.id)?.active).toBe(false);
    await expect.poll(() => row.textContent()).toContain('paused');
  });

  it('creates a broadcast and sends it with trigger data', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'New broadcast' }).click();
    const form = page.getByTestId('campaign-editor');
    await form.getByLabel('Name', { exact: true }).fill('Flash sale');
    await form.getByLabel('people who match conditions').check();
    await form.getByLabel('Add a condition to this group').selectOption('attribute');
    await form.getByLabel('Attribute field').fill('first_name');
    await form.getByLabel('Attribute value').fill('Dana');
    await form.getByLabel('Title', { exact: true }).fill('{{ trigger.headline }}');
    await form.getByLabel('Message', { exact: true }).fill('Hi {{ customer.first_name }}');
    await form.getByRole('button', { name: 'Create broadcast' }).click();
    await form.getByText('Saved.').waitFor();
    await screenshot(page, 'campaign-editor');

    const row = page.getByTestId('campaigns-table').locator('tr', { hasText: 'Flash sale' });
    await row.getByRole('button', { name: /^Send…/ }).click();
    const send = page.getByTestId('broadcast-send');
    await send.getByLabel('Trigger data (JSON, optional)').fill('{"headline": "50% off today"}');
    page.once('dialog', (d) => void d.accept());
    await send.getByRole('button', { name: 'Send now' }).click();
    await expect
      .poll(() => send.getByTestId('broadcast-status').textContent(), { timeout: 20_000 })
      .toBe('Sent: 1 message queued.');
    await waitFor('the broadcast push', () => toDana().includes('50% off today|Hi Dana'));
  });

  it('lists deliveries by title and source, with shortened tokens and proper platform names', async () => {
    const { page } = browser;
    await signIn(page, server);
    await page.getByRole('link', { name: 'Messages' }).click();
    const table = page.getByTestId('deliveries-table');
    // Names arrive with the template and campaign lists, a moment after the deliveries.
    await expect.poll(() => table.textContent()).toContain('Broadcast “Flash sale”');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain('50% off today');
    expect(text).toContain('Broadcast “Flash sale”');
    expect(text).toContain('Campaign “Purchase thanks”');
    expect(text).toContain('Template “Welcome”');
    const token = table.locator(`code.token[title="${DANA_IOS_TOKEN}"]`).first();
    expect((await token.locator('[aria-hidden]').textContent())!.length).toBeLessThan(20);
    expect(text).not.toMatch(/[0-9A-HJKMNP-TV-Z]{26}/); // no delivery ULIDs on show
    expect(errors).toEqual([]);
  });
});
