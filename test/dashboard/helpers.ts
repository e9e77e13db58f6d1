import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { TrackClient } from 'customerio-node';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { apnsToken, configureProviders, startFakes, waitFor, type Fakes } from '../messaging/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DASHBOARD_DIST = path.join(ROOT, 'packages/dashboard/dist/index.html');
export const SCREENSHOT_DIR = path.join(ROOT, 'docs/screenshots');
/** `ROSTER_SCREENSHOTS=1 npx vitest run test/dashboard` refreshes docs/screenshots. */
export const SAVE_SCREENSHOTS = process.env.ROSTER_SCREENSHOTS === '1';

/** Debian's chromium (`.ci/run` installs it; no browser downloads work here). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without chromium they are skipped with a notice, as the
 * PostgreSQL runs are without PostgreSQL, so `npm test` passes on a machine with only Node; in CI
 * (`CI` set, as `.ci/run` does) a missing chromium fails the run instead.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(
      `CI requires chromium at ${CHROMIUM} (CHROMIUM_PATH): the dashboard browser tests must run`,
    );
  console.warn(
    `[roster tests] no chromium at ${CHROMIUM} (CHROMIUM_PATH): skipping the dashboard browser tests; ` +
      '`apt-get install chromium` runs them',
  );
  return false;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launch(
  options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: run \`apt-get install -y chromium\` (what .ci/run does)`,
    );
  }
  if (!existsSync(DASHBOARD_DIST)) {
    throw new Error('the dashboard is not built: run `npm run build` (npm test does it first)');
  }
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'roster-chromium-'));
  // launchPersistentContext is how playwright takes a fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The screen sizes every page is checked at. */
export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };

/**
 * Saves a screenshot to docs/screenshots when `ROSTER_SCREENSHOTS=1`. Callers wait for what the
 * picture must show first; this only lets web fonts and the last frame settle.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SAVE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // A full-page picture taken while scrolled shows the sticky header mid-page: scroll to the top.
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    return document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(r)));
  });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Errors the page logged or threw, collected from now on (a test asserts there are none). The
 * browser's own "Failed to load resource" lines for API answers such as a 401 or 404 are not the
 * page's errors: the tests check those answers where they matter.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Signs in from a fresh state (nothing stored on the device or in the tab). */
export async function signIn(
  page: Page,
  server: ServerProcess,
  options: { remember?: boolean } = {},
): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.evaluate(() => {
    sessionStorage.clear();
    localStorage.removeItem('roster.appApiKey');
  });
  await page.reload();
  await page.getByLabel('App API key').fill(server.credentials.appApiKey);
  if (options.remember) await page.getByLabel('Remember on this device').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
}

/** Calls the App API directly (for checks that a route exists, and for set-up). */
export async function appApi(
  server: ServerProcess,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${server.credentials.appApiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/**
 * Fails with a clear message when a Roster extension route does not exist on this server yet
 * (404 "no route", or 405 where the path is known under other methods): tests that need it must
 * not pass silently.
 */
export async function requireRoute(
  server: ServerProcess,
  method: string,
  route: string,
  body?: unknown,
): Promise<void> {
  const r = await appApi(server, method, route, body);
  const detail = JSON.stringify(r.body ?? '');
  if (r.status === 405 || (r.status === 404 && detail.includes('no route for'))) {
    throw new Error(
      `${method} /v1${route.split('?')[0]} is not implemented on this server yet (HTTP ${r.status}); ` +
        `this dashboard test needs it. Server said: ${detail}`,
    );
  }
}

export interface Seeded {
  danaCioId: string;
  segmentId: number;
}

/** Dana's iPhone: 64 hex characters, as APNs tokens are (the fake APNs refuses others). */
export const DANA_IOS_TOKEN = apnsToken('dana-iphone');

/** A small workspace through the Track API: people, attribute changes, devices, events, a segment. */
export async function seed(server: ServerProcess): Promise<Seeded> {
  const { siteId, apiKey } = server.credentials;
  const track = new TrackClient(siteId, apiKey, { url: server.trackUrl });
  const now = Math.floor(Date.now() / 1000);

  await track.identify('dana', {
    email: 'dana@example.com',
    first_name: 'Dana',
    plan: 'pro',
    created_at: now - 86_400 * 30,
    address: { city: 'Lisbon', country: 'PT' },
  });
  await track.identify('dana', { plan: 'team', last_login: now - 3600 });
  await track.addDevice('dana', DANA_IOS_TOKEN, 'ios', {
    device_os: '17.4',
    device_model: 'iPhone15,2',
    app_version: '2.3.0',
    push_enabled: 'true',
    last_used: now - 600,
  });
  await track.addDevice('dana', 'fcm-token-dana-0002', 'android', {
    device_os: '14',
    device_model: 'Pixel 8',
    app_version: '2.2.1',
    push_enabled: 'false',
    last_used: now - 86_400 * 3,
  });
  await track.track('dana', {
    name: 'purchase',
    data: { total: 42, currency: 'EUR', items: ['tote', 'mug'] },
  });
  await track.track('dana', { name: 'app_opened', data: { source: 'push' } });

  await track.identify('lee', { email: 'lee@example.com', first_name: 'Lee', plan: 'free' });
  await track.addDevice('lee', 'fcm-token-lee-0001', 'android', {
    device_os: '13',
    app_version: '2.3.0',
    push_enabled: 'true',
  });
  await track.track('lee', { name: 'app_opened', data: {} });

  await track.identify('sam', { email: 'sam@example.com', first_name: 'Sam', plan: 'pro' });
  await track.track('sam', { name: 'purchase', data: { total: 9 } });

  // Enough people for a second page.
  for (let i = 1; i <= 27; i++) {
    const id = `user-${String(i).padStart(2, '0')}`;
    await track.identify(id, {
      email: `${id}@example.com`,
      plan: i % 3 === 0 ? 'pro' : 'free',
      team_size: i,
    });
    if (i % 4 === 0)
      await track.addDevice(id, `tok-${id}`, i % 8 === 0 ? 'ios' : 'android', { push_enabled: 'true' });
    if (i % 2 === 0)
      await track.track(id, { name: i % 4 === 0 ? 'purchase' : 'viewed_pricing', data: { i } });
  }

  const dana = await appApi(server, 'GET', '/customers/dana/attributes?id_type=id');
  if (dana.status !== 200)
    throw new Error(`seeded person not readable: ${dana.status} ${JSON.stringify(dana.body)}`);
  const customer = (
    dana.body as { customer: { identifiers?: { cio_id: string }; attributes: { cio_id: string } } }
  ).customer;
  const danaCioId = customer.identifiers?.cio_id ?? customer.attributes.cio_id;

  // A manual segment with Dana in it (members are written through the Track API).
  const seg = await appApi(server, 'POST', '/segments', {
    segment: { name: 'VIP', description: 'Hand-picked customers' },
  });
  if (seg.status !== 200) throw new Error(`segment create failed: ${seg.status} ${JSON.stringify(seg.body)}`);
  const segmentId = (seg.body as { segment: { id: number } }).segment.id;
  const add = await fetch(`${server.trackUrl}/segments/${segmentId}/add_customers`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ ids: ['dana', 'sam'] }),
  });
  if (!add.ok) throw new Error(`add_customers failed: ${add.status} ${await add.text()}`);
  return { danaCioId, segmentId };
}

export interface SeededMessaging {
  fakes: Fakes;
  templateId: number;
  campaignId: number;
  broadcastId: number;
  dynamicSegmentId: number;
}

/**
 * Messaging on top of `seed`: APNs and FCM pointed at the loopback fakes, a template, a triggered
 * campaign, a broadcast to the VIP segment, a dynamic segment, and a few pushes that reached the
 * fakes (so Messages and the person page have deliveries to show). Stop `fakes` afterwards.
 */
export async function seedMessaging(server: ServerProcess, seeded: Seeded): Promise<SeededMessaging> {
  const fakes = await startFakes();
  await configureProviders(server, fakes);
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const r = await appApi(server, method, route, body);
    if (r.status !== 200) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  };
  const template = await call<{ message: { id: number } }>('POST', '/transactional', {
    name: 'Welcome',
    title: 'Hi {{ customer.first_name }}',
    message: 'Your plan: {{ customer.plan }}',
  });
  const dynamic = await call<{ segment: { id: number } }>('POST', '/segments', {
    segment: {
      name: 'Pro on iOS',
      description: 'Paying customers with an iPhone',
      conditions: {
        and: [
          { attribute: { field: 'plan', operator: 'in', value: ['pro', 'team'] } },
          { device: { attribute: { field: 'platform', operator: 'eq', value: 'ios' } } },
        ],
      },
    },
  });
  const campaign = await call<{ campaign: { id: number } }>('POST', '/campaigns', {
    name: 'Thanks for buying',
    type: 'triggered',
    trigger: { event: 'purchase' },
    template: template.message.id,
    delay_seconds: 600,
  });
  const broadcast = await call<{ campaign: { id: number } }>('POST', '/campaigns', {
    name: 'Weekly news',
    type: 'broadcast',
    filter: { segment: { id: seeded.segmentId } },
    template: { title: '{{ trigger.headline }}', message: 'Hi {{ customer.first_name }}' },
  });
  for (const id of ['dana', 'lee'])
    await call('POST', '/send/push', { identifiers: { id }, transactional_message_id: template.message.id });
  await call('POST', `/campaigns/${broadcast.campaign.id}/triggers`, { data: { headline: 'Big news' } });
  // Dana's two devices and Lee's, and the broadcast to Dana (two devices) and Sam (none).
  await waitFor(
    'pushes delivered to the fakes',
    () => fakes.fcm.received.length + fakes.apns.received.length >= 5,
    30_000,
  );
  return {
    fakes,
    templateId: template.message.id,
    campaignId: campaign.campaign.id,
    broadcastId: broadcast.campaign.id,
    dynamicSegmentId: dynamic.segment.id,
  };
}

/** Track API v2 operations sent as one batch (`POST /api/v2/batch`); anything but a 200 throws. */
export async function v2Batch(server: ServerProcess, operations: unknown[]): Promise<void> {
  const { siteId, apiKey } = server.credentials;
  const res = await fetch(`${server.trackUrl.replace(/\/api\/v1$/, '')}/api/v2/batch`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${siteId}:${apiKey}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ batch: operations }),
  });
  if (res.status !== 200) throw new Error(`v2 batch: ${res.status} ${await res.text()}`);
}

/** Names an object type (`PUT /v1/object_types/:id`). */
export async function nameObjectType(
  server: ServerProcess,
  id: string,
  name: string,
  singular: string,
): Promise<void> {
  const r = await appApi(server, 'PUT', `/object_types/${id}`, { name, singular_name: singular });
  if (r.status !== 200) throw new Error(`rename type ${id}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** On top of `seed`: the company Acme (type 1, Companies) with Dana as admin and Lee as member. */
export async function seedObjects(server: ServerProcess): Promise<void> {
  await v2Batch(server, [
    {
      type: 'object',
      action: 'identify',
      identifiers: { object_type_id: '1', object_id: 'acme' },
      attributes: { name: 'Acme', plan: 'enterprise', seats: 120, address: { city: 'Lisbon' } },
      cio_relationships: [
        { identifiers: { id: 'dana' }, relationship_attributes: { role: 'admin' } },
        { identifiers: { id: 'lee' }, relationship_attributes: { role: 'member' } },
      ],
    },
  ]);
  await nameObjectType(server, '1', 'Companies', 'Company');
}

/** A server that may send webhooks to loopback, a receiver there, a Track client and a browser. */
export interface WebhookRig {
  server: ServerProcess;
  receiver: WebhookReceiver;
  track: TrackClient;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * What the webhook browser tests share: SQLite, private addresses allowed
 * (`ROSTER_WEBHOOK_ALLOW_PRIVATE=1`) and quick retries, a receiver on loopback answering 200.
 */
export async function startWebhookRig(): Promise<WebhookRig> {
  const server = await startServer({
    engine: 'sqlite',
    env: {
      ROSTER_LOG_LEVEL: 'warn',
      ROSTER_WEBHOOK_ALLOW_PRIVATE: '1',
      ROSTER_WEBHOOK_RETRY_BASE_SECONDS: '0.2',
    },
  });
  const receiver = await new WebhookReceiver().start();
  const track = new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
    url: server.trackUrl,
  });
  const browser = await launch();
  return {
    server,
    receiver,
    track,
    browser,
    async close() {
      await browser.close();
      await receiver.down();
      await server.cleanup();
    },
  };
}
