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
  type Browser,
  startWebhookRig,
  type WebhookRig,
} from './helpers.js';

/**
 * The Webhooks page against a real server and a receiver on loopback: a subscription made in the
 * browser gets a person identified through the Track API, its attempt shows up with what the
 * receiver answered, and a replay sends the same event again.
 */
describe.skipIf(!chromiumAvailable())('dashboard webhooks', () => {
  let server: ServerProcess;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let track: TrackClient;
  let secret = '';
  let webhookId = 0;

  let rig: WebhookRig | undefined;

  beforeAll(async () => {
    rig = await startWebhookRig();
    ({ server, receiver, track, browser } = rig);
    const seg = await appApi(server, 'POST', '/segments', { segment: { name: 'VIP' } });
    expect(seg.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('creates a subscription, names what is wrong first, and shows its secret once', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    await signIn(page, server);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No subscriptions yet.').waitFor();

    await page.getByRole('button', { name: 'New subscription' }).click();
    const form = page.getByRole('form', { name: 'New subscription' });
    await form.getByRole('button', { name: 'Create subscription' }).click();
    await form.getByText('Enter the URL deliveries are POSTed to.').waitFor();
    await form.getByText('Choose at least one kind of change.').waitFor();

    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Description').fill('CRM sync');
    await form.getByRole('checkbox', { name: 'person.created' }).check();
    await form.getByRole('checkbox', { name: 'event.tracked' }).check();
    await form.getByLabel('Only these event names (optional)').fill('purchase, signup');
    await form.getByRole('checkbox', { name: 'segment.entered' }).check();
    await form.getByRole('checkbox', { name: 'VIP' }).check();
    await form.getByLabel('Events per request').fill('0');
    await form.getByRole('button', { name: 'Create subscription' }).click();
    await form.getByText('Events per request: a whole number from 1 to 100.').waitFor();
    await form.getByLabel('Events per request').fill('1');
    await form.getByRole('button', { name: 'Create subscription' }).click();

    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    secret = (await shown.locator('code.secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const row = page.getByTestId('webhooks-table').getByRole('row', { name: new RegExp(receiver.url) });
    await row.waitFor();
    expect(await row.textContent()).toContain('event.tracked (purchase, signup)');
    expect(await row.textContent()).toContain('segment.entered (VIP)');
    expect(await row.textContent()).toContain('on');

    const list = await appApi(server, 'GET', '/webhooks');
    const hooks = (list.body as { webhooks: Array<Record<string, unknown>> }).webhooks;
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      url: receiver.url,
      description: 'CRM sync',
      events: ['person.created', 'event.tracked', 'segment.entered'],
      event_names: ['purchase', 'signup'],
      enabled: true,
      batch: 1,
    });
    expect(hooks[0]).not.toHaveProperty('secret');
    webhookId = hooks[0]!.id as number;

    // Shown once: the list after a reload has no secret.
    await page.reload();
    await page.getByTestId('webhooks-table').waitFor();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the attempt for a person identified through the Track API, and replays it', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    await track.identify('webhook-ann', { email: 'ann@example.com' });
    await expect.poll(() => receiver.delivered.length).toBe(1);
    const first = receiver.delivered[0]!;
    expect(first.event).toBe('person.created');
    expect(verifies(secret, first)).toBe(true);

    await page.getByTestId('webhooks-table').getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { level: 2, name: receiver.url }).waitFor();
    const rows = page.getByTestId('attempt-row');
    // The list refreshes by itself while shown.
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(1);
    const text = (await rows.first().textContent())!;
    expect(text).toContain(first.id);
    expect(text).toContain('delivered');
    expect(text).toContain('200');
    expect(text).toMatch(/\d+ ms/);
    expect(text).toContain('{"ok":true}');

    await rows
      .first()
      .getByRole('button', { name: `Replay ${first.id}` })
      .click();
    await page.getByText(`(${first.id}) queued again.`).waitFor();
    await expect.poll(() => receiver.delivered.length, { timeout: 20_000 }).toBe(2);
    const again = receiver.delivered[1]!;
    expect(again.id).toBe(first.id);
    expect(verifies(secret, again)).toBe(true);
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    // A replay is a new delivery of the same event: only the newest attempt offers another.
    expect(await page.getByRole('button', { name: `Replay ${first.id}` }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows a refused attempt with the answer, turns off, rotates the secret and deletes', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    receiver.mode = 'error';
    await track.track('webhook-ann', { name: 'purchase', data: { total: 3 } });
    await expect.poll(() => receiver.all.length).toBeGreaterThanOrEqual(3);
    const rows = page.getByTestId('attempt-row');
    await expect
      .poll(async () => (await rows.first().textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/retry.*503.*try later/);
    receiver.mode = 'ok';

    // The old secret signs beside the new one for as long as chosen (a day unless told).
    await page.getByLabel('Old secret').selectOption({ label: 'signs 7 days more' });
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    const rotated = (await shown.locator('code.secret').textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByText(/signs beside the new one until/).waitFor();
    expect(question).toContain('for 7 days');
    const after = (await appApi(server, 'GET', `/webhooks/${webhookId}`)).body as {
      webhook: { previous_secret_expires_at: number };
    };
    expect(after.webhook.previous_secret_expires_at - Date.now() / 1000).toBeGreaterThan(6 * 86_400);

    await page.getByRole('button', { name: 'Turn off' }).click();
    await expect.poll(() => page.getByTestId('webhook-state').textContent()).toBe('off');
    const off = await appApi(server, 'GET', `/webhooks/${webhookId}`);
    expect((off.body as { webhook: { enabled: boolean } }).webhook.enabled).toBe(false);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByTestId('webhook-state').textContent()).toBe('on');

    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No subscriptions yet.').waitFor();
    expect(asked).toContain(receiver.url);
    expect((await appApi(server, 'GET', `/webhooks/${webhookId}`)).status).toBe(404);
    expect(errors).toEqual([]);
  });

  it('pages back through older attempts, 50 a page', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    const hook = await appApi(server, 'POST', '/webhooks', { url: receiver.url, events: ['person.created'] });
    expect(hook.status).toBe(200);
    const id = (hook.body as { webhook: { id: number } }).webhook.id;
    const before = receiver.delivered.length;
    for (let i = 0; i < 51; i++) await track.identify(`paged-${i}`, { n: i });
    await expect.poll(() => receiver.delivered.length - before, { timeout: 30_000 }).toBe(51);

    await page.goto(`${server.url}/webhooks/${id}`);
    const rows = page.getByTestId('attempt-row');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(50);
    const pager = page.getByRole('navigation', { name: 'Attempts pages' });
    await pager.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => pager.textContent()).toContain('Page 2');
    await expect.poll(() => rows.count()).toBe(1);
    const ids = new Set(receiver.delivered.slice(before).map((r) => r.id));
    expect(ids.has((await rows.first().locator('code').first().textContent()) ?? '')).toBe(true);
    await pager.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(() => rows.count()).toBe(50);
    expect(errors).toEqual([]);
  });

  it('lists pending deliveries with attempts, next attempt and last error while the receiver is down, then delivered ones to replay', async () => {
    const { page } = browser;
    const errors = collectErrors(page);
    const hook = await appApi(server, 'POST', '/webhooks', {
      url: receiver.url,
      events: ['person.created'],
      description: 'pending',
    });
    expect(hook.status).toBe(200);
    const id = (hook.body as { webhook: { id: number } }).webhook.id;
    await page.goto(`${server.url}/webhooks/${id}`);
    const card = page.getByRole('region', { name: 'Deliveries' });
    await card.getByText('Nothing pending').waitFor();

    await receiver.down();
    try {
      await track.identify('pending-1', { n: 1 });
      await track.identify('pending-2', { n: 2 });
      const rows = card.getByTestId('delivery-row');
      // The pending list refreshes by itself: both people, newest first, each refused at least once.
      await expect
        .poll(async () => (await rows.allTextContents()).filter((t) => /ECONNREFUSED/.test(t)).length, {
          timeout: 30_000,
        })
        .toBe(2);
      const api = await appApi(server, 'GET', `/webhooks/${id}/deliveries?status=pending`);
      const pending = (api.body as { deliveries: Array<{ event_id: string; attempts: number }> }).deliveries;
      expect(pending).toHaveLength(2);
      const texts = await rows.allTextContents();
      expect(texts[0]).toContain(pending[0]!.event_id);
      expect(texts[1]).toContain(pending[1]!.event_id);
      for (const t of texts) {
        expect(t).toContain('person.created');
        expect(t).toContain('pending');
        expect(t).toMatch(/now|in \d+ s|in \d+ minutes?/);
      }
      expect(await card.getByRole('button', { name: /^Send .* again$/ }).count()).toBe(0);
      await screenshot(page, 'webhook-pending');
    } finally {
      await receiver.up();
    }

    // Back up: the retries deliver both, and the pending list empties by itself.
    await card.getByText('Nothing pending').waitFor({ timeout: 60_000 });
    const lists = card.getByRole('group', { name: 'Deliveries shown' });
    await lists.getByRole('button', { name: 'Failed' }).click();
    await card.getByText('No failed deliveries.').waitFor();
    await lists.getByRole('button', { name: 'Delivered' }).click();
    const delivered = card.getByTestId('delivery-row');
    await expect.poll(() => delivered.count()).toBe(2);
    const newest = (await delivered.first().locator('code').textContent())!;
    const before = receiver.delivered.length;
    await delivered
      .first()
      .getByRole('button', { name: `Send ${newest} again` })
      .click();
    await card.getByText(`(${newest}) queued again.`).waitFor();
    await expect
      .poll(() => receiver.delivered.length - before, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    expect(receiver.delivered.slice(before).map((r) => r.id)).toContain(newest);
    expect(errors).toEqual([]);
  });
});
