import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { createWorkspace } from '../security/helpers.js';
import type { ServerCredentials } from '../helpers/server-process.js';
import { appCall, configureProviders, startFakes, trackCall, waitFor, type Fakes } from './helpers.js';

/** A render that costs real work (tens of ms) and stays well within the 200 ms render limit. */
const SLOW_MESSAGE =
  '{% assign n = 0 %}{% for i in (1..500) %}{% assign n = n | plus: 1 %}{% endfor %}counted {{ n }} for {{ event.item }}';

/**
 * Triggered campaigns render after the write that triggered them commits (docs/messaging.md "When
 * a triggered message is rendered"): the write records a pending send; a background worker renders
 * it. Shown without timing: with the renderer off (ROSTER_BROADCAST_WORKER=0) the Track write
 * answers 200 with the send pending and no message rendered, another workspace keeps writing, and
 * after kill -9 a new process renders the committed send; with it on, a costly render and another
 * workspace's identify both go through.
 */
describe.each(engines())('campaign sends render after the write commits (%s)', (engine) => {
  let server: ServerProcess;
  let fakes: Fakes;
  let B: ServerCredentials;
  let campaignId: number;
  let db: TestDatabase | undefined;

  const thanks = (item: string) =>
    fakes.fcm.received.filter(
      (r) =>
        r.token === 'fcm-ann' &&
        r.status === 200 &&
        (r.message.notification as { body: string }).body === `counted 500 for ${item}`,
    );
  const messagesOfCampaign = async () =>
    (
      await appCall<{ messages: Array<{ id: string }> }>(
        server,
        'GET',
        `/v1/messages?campaign_id=${campaignId}`,
      )
    ).body.messages;
  const pendingGauge = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^roster_campaign_sends_pending (\d+)/m.exec(text)?.[1] ?? NaN);
  };
  const identifyInB = async (id: string) => {
    const auth = Buffer.from(`${B.siteId}:${B.apiKey}`).toString('base64');
    const res = await fetch(`${server.url}/api/v1/customers/${id}`, {
      method: 'PUT',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'b' }),
    });
    return res.status;
  };

  beforeAll(async () => {
    fakes = await startFakes();
    // The renderer is off in this first process.
    if (engine === 'postgres') db = await createTestDatabase('render');
    server = await startServer({
      engine,
      ...(db ? { databaseUrl: db.url } : {}),
      env: { ROSTER_BROADCAST_WORKER: '0' },
    });
    await configureProviders(server, fakes);
    B = await createWorkspace(server, 'B');
    await trackCall(server, 'PUT', '/api/v1/customers/ann', { first_name: 'Ann' });
    await trackCall(server, 'PUT', '/api/v1/customers/ann/devices', {
      device: { id: 'fcm-ann', platform: 'android' },
    });
    const c = await appCall<{ campaign: { id: number } }>(server, 'POST', '/v1/campaigns', {
      name: 'Slow thanks',
      type: 'triggered',
      trigger: { event: 'slow' },
      template: { title: 'Thanks {{ customer.first_name }}', message: SLOW_MESSAGE },
    });
    expect(c.status).toBe(200);
    campaignId = c.body.campaign.id;
  }, 300_000);

  afterAll(async () => {
    await server?.cleanup();
    await db?.drop();
    await fakes?.stop();
  });

  it('commits the send with the write, renders nothing inside it, and renders it after a crash', async () => {
    const res = await trackCall(server, 'POST', '/api/v1/customers/ann/events', {
      name: 'slow',
      data: { item: 'tea' },
    });
    expect(res.status).toBe(200);
    // Answered and committed, and nothing rendered: the decision is all the write did.
    expect(await pendingGauge()).toBe(1);
    expect(await messagesOfCampaign()).toEqual([]);
    // Another workspace writes meanwhile.
    expect(await identifyInB('bob')).toBe(200);
    expect(await pendingGauge()).toBe(1);

    // kill -9, then a process that renders: the committed send goes out once.
    await server.kill('SIGKILL');
    server = await startServer({
      engine,
      dataDir: server.dataDir,
      ...(db ? { databaseUrl: db.url } : {}),
      credentials: server.credentials,
      ownStore: !db,
    });
    await waitFor('the pending send rendered and delivered', () => thanks('tea').length === 1, 150_000);
    expect(thanks('tea')[0]!.message.notification).toMatchObject({ title: 'Thanks Ann' });
    await waitFor('no send pending', async () => (await pendingGauge()) === 0);
    expect(await messagesOfCampaign()).toHaveLength(1);
  }, 300_000);

  it("a costly render does not hold writes: another workspace's identifies go through and the message arrives", async () => {
    const [event, ...others] = await Promise.all([
      trackCall(server, 'POST', '/api/v1/customers/ann/events', { name: 'slow', data: { item: 'cake' } }),
      ...Array.from({ length: 5 }, (_, i) => identifyInB(`b${i}`)),
    ]);
    expect(event.status).toBe(200);
    expect(others).toEqual([200, 200, 200, 200, 200]);
    // Writes in B keep answering while A's send waits or renders.
    expect(await identifyInB('late')).toBe(200);
    await waitFor('the costly push', () => thanks('cake').length === 1, 150_000);
    await waitFor('no send pending', async () => (await pendingGauge()) === 0);
    expect(await messagesOfCampaign()).toHaveLength(2);
  }, 300_000);
});
