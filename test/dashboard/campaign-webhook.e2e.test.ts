import type { TrackClient } from 'customerio-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifies, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import type { ServerProcess } from '../helpers/server-process.js';
import {
  appApi,
  chromiumAvailable,
  collectErrors,
  screenshot,
  signIn,
  startWebhookRig,
  type Browser,
  type WebhookRig,
} from './helpers.js';

interface Campaign {
  id: number;
  name: string;
  template: unknown;
  action: { type: string; url?: string; method?: string; headers?: unknown; body?: string; secret?: string };
}

/**
 * A campaign that sends a webhook, made in the dashboard against a real server: the request is
 * previewed for a person (Liquid and JSON errors named), a test request goes to a receiver on
 * loopback with the rendered body and headers, and the event it is triggered by sends it too.
 */
describe.skipIf(!chromiumAvailable())('dashboard campaign webhook action', () => {
  let server: ServerProcess;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let track: TrackClient;

  const campaigns = async () =>
    ((await appApi(server, 'GET', '/campaigns')).body as { campaigns: Campaign[] }).campaigns;

  let rig: WebhookRig | undefined;

  beforeAll(async () => {
    rig = await startWebhookRig();
    ({ server, receiver, track, browser } = rig);
    await track.identify('dana', { email: 'dana@example.com', first_name: 'Dana', plan: 'pro' });
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('previews the request for a person, saves it, and test-sends the rendered body', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    await signIn(page, server);
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    const form = page.getByTestId('campaign-editor');
    await form.getByLabel('Name', { exact: true }).fill('Order to CRM');
    await form.getByLabel('Event name').fill('ordered');
    await form.getByLabel('a webhook request').check();

    // Nothing is sent while something is missing: each problem is named by its field.
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await form.getByText('Enter the URL the request goes to.').first().waitFor();

    await form.getByLabel('URL', { exact: true }).fill(receiver.url);
    await form.getByLabel('Method').selectOption('PUT');
    await form.getByRole('button', { name: 'Add header' }).click();
    await form.getByLabel('Header 1 name').fill('X-Customer');
    await form.getByLabel('Header 1 value').fill('{{ customer.id }}');
    const body = form.getByLabel('Body (Liquid that renders to JSON)');
    await body.fill(
      '{"id": {{ customer.id | json }}, "plan": {{ customer.plan | json }}, "item": {{ event.item | json }}}',
    );

    await form.getByLabel('Person (start of id or email, or cio_id)').fill('dana');
    await form.getByRole('button', { name: 'Use person' }).click();
    await form.getByText('Previewing for').waitFor();
    await form.getByLabel('Event data (JSON, optional)').fill('{"item": "tea"}');
    const rendered = form.getByTestId('webhook-rendered');
    await expect
      .poll(() => form.getByTestId('webhook-rendered-body').textContent())
      .toBe(JSON.stringify({ id: 'dana', plan: 'pro', item: 'tea' }, null, 2));
    expect(await rendered.textContent()).toContain(`PUT ${receiver.url}`);
    expect(await rendered.textContent()).toContain('X-Customer: dana');

    // A body that renders to something other than JSON, and Liquid that does not parse, are named.
    const problem = form.getByTestId('webhook-preview-error');
    await body.fill('{"id": {{ customer.id }}}');
    await expect.poll(() => problem.textContent()).toContain('did not render to valid JSON');
    await body.fill('{"id": {{ customer.id ');
    await expect.poll(() => problem.textContent()).toContain('not valid Liquid');
    await body.fill(
      '{"id": {{ customer.id | json }}, "plan": {{ customer.plan | json }}, "item": {{ event.item | json }}}',
    );
    await expect.poll(() => problem.count()).toBe(0);

    // A test goes to the saved URL: there is none before the campaign is saved.
    const testButton = form.getByRole('button', { name: 'Send test request' });
    expect(await testButton.isDisabled()).toBe(true);
    await form.getByText('Save the campaign with its webhook first').waitFor();
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await form.getByText('Saved.').waitFor();
    const [saved] = (await campaigns()).filter((c) => c.name === 'Order to CRM');
    expect(saved!.action).toMatchObject({
      type: 'webhook',
      url: receiver.url,
      method: 'PUT',
      headers: { 'X-Customer': '{{ customer.id }}' },
    });
    expect(saved!.template).toBeNull();
    const secret = saved!.action.secret!;
    expect(secret).toMatch(/^whsec_/);

    await expect.poll(() => testButton.isDisabled()).toBe(false);
    await testButton.click();
    await expect.poll(() => receiver.delivered.length).toBe(1);
    const got = receiver.delivered[0]!;
    expect(got.method).toBe('PUT');
    expect(JSON.parse(got.raw)).toEqual({ id: 'dana', plan: 'pro', item: 'tea' });
    expect(got.headers['x-customer']).toBe('dana');
    expect(got.event).toBe('campaign.webhook');
    expect(verifies(secret, got)).toBe(true);
    await expect
      .poll(() => form.getByTestId('webhook-test-status').textContent())
      .toContain('your endpoint answered 2xx');

    // The list says it sends a webhook, and where.
    const row = page.getByTestId('campaigns-table').locator('tr', { hasText: 'Order to CRM' });
    await expect.poll(() => row.getByTestId('campaign-kind').textContent()).toBe('Campaign · webhook');
    expect(await row.textContent()).toContain(
      `When someone does “ordered”: a webhook PUT to ${receiver.url.replace('http://', '')} to whoever triggers it, at once.`,
    );
    await screenshot(page, 'campaign-webhook');
    expect(errors).toEqual([]);
  });

  it('sends the request when the event happens, and reopens with the action as saved', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    await track.track('dana', { name: 'ordered', data: { item: 'mug' } });
    await expect.poll(() => receiver.delivered.length, { timeout: 20_000 }).toBe(2);
    expect(JSON.parse(receiver.delivered[1]!.raw)).toEqual({ id: 'dana', plan: 'pro', item: 'mug' });

    const form = page.getByTestId('campaign-editor');
    await form.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => form.count()).toBe(0);
    const row = page.getByTestId('campaigns-table').locator('tr', { hasText: 'Order to CRM' });
    await row.getByRole('button', { name: /^Edit/ }).click();
    expect(await form.getByLabel('a webhook request').isChecked()).toBe(true);
    expect(await form.getByLabel('URL', { exact: true }).inputValue()).toBe(receiver.url);
    expect(await form.getByLabel('Method').inputValue()).toBe('PUT');
    expect(await form.getByLabel('Header 1 value').inputValue()).toBe('{{ customer.id }}');
    // A header the server sets itself is refused before saving, next to the headers.
    await form.getByRole('button', { name: 'Add header' }).click();
    await form.getByLabel('Header 2 name').fill('Host');
    await form.getByRole('button', { name: 'Save campaign' }).click();
    await form.getByText('Host is set by the connection or by Roster.').first().waitFor();
    await form.getByRole('button', { name: 'Remove header 2' }).click();
    await form.getByRole('button', { name: 'Save campaign' }).click();
    await form.getByText('Saved.').waitFor();

    // Deliveries name the requests by where they went, and which one was the test.
    await page.reload();
    const table = page.getByTestId('deliveries-table');
    await expect.poll(() => table.textContent()).toContain('Campaign “Order to CRM”');
    const text = (await table.textContent()) ?? '';
    expect(text).toContain(`Webhook to ${receiver.url.replace('http://', '')}`);
    expect(text).toContain('Test request');
    expect(errors).toEqual([]);
  });
});
