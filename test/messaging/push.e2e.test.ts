import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient, SendPushRequest } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import {
  apnsToken,
  appCall,
  configureProviders,
  deliveryBarrier,
  startFakes,
  trackCall,
  waitFor,
  type Fakes,
} from './helpers.js';

type Msg = {
  message: { id: string; metrics: Record<string, number>; failure_message: string | null } & Record<
    string,
    unknown
  >;
};

const iosToken = apnsToken('ann-iphone');
const deadApns = apnsToken('bouncy-iphone');

/** Push end to end: real `roster serve`, fake APNs and FCM on loopback, configured through the routes. */
describe.each(engines())('push messaging end to end (%s)', (engine) => {
  let server: ServerProcess;
  let fakes: Fakes;
  let api: APIClient;

  const fcmFor = (token: string) => fakes.fcm.received.filter((r) => r.token === token && r.status === 200);
  const apnsFor = (token: string) => fakes.apns.received.filter((r) => r.token === token);
  const message = async (id: string) =>
    (await appCall<Msg>(server, 'GET', `/v1/messages/${id}`)).body.message;
  const send = (body: Record<string, unknown>) => appCall(server, 'POST', '/v1/send/push', body);

  beforeAll(async () => {
    fakes = await startFakes();
    server = await startServer({ engine });
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    // Ann: an iPhone used earlier, an Android phone used last.
    await trackCall(server, 'PUT', '/api/v1/customers/ann', {
      email: 'ann@example.com',
      first_name: 'Ann',
      plan: 'pro',
    });
    await trackCall(server, 'PUT', '/api/v1/customers/ann/devices', {
      device: { id: iosToken, platform: 'ios', last_used: 1_700_000_000, app_version: '2.1' },
    });
    await trackCall(server, 'PUT', '/api/v1/customers/ann/devices', {
      device: { id: 'fcm-ann', platform: 'android', last_used: 1_700_000_500 },
    });
  });

  afterAll(async () => {
    await server?.cleanup();
    await fakes?.stop();
  });

  it('answers 403 until a provider is configured, then shows providers without secrets', async () => {
    const tm = await appCall(server, 'POST', '/v1/transactional', {
      name: 'ping',
      title: 'Ping',
      message: 'Ping',
    });
    expect(tm.status).toBe(200);
    const denied = await send({ identifiers: { id: 'ann' }, transactional_message_id: 'ping' });
    expect(denied).toEqual({
      status: 403,
      body: { meta: { error: 'Push messaging is not enabled for your workspace.' } },
    });

    await configureProviders(server, fakes);
    const ws = await appCall(server, 'GET', '/v1/workspace');
    expect(ws.status).toBe(200);
    const text = JSON.stringify(ws.body);
    expect(text).not.toContain('PRIVATE KEY');
    expect(ws.body.workspace).toMatchObject({
      site_id: server.credentials.siteId,
      push_providers: [
        expect.objectContaining({ kind: 'apns', app_identifier: '', configured: true }),
        expect.objectContaining({ kind: 'fcm', app_identifier: '', configured: true }),
      ],
    });
  });

  it('validates templates with Liquid at save and names the line', async () => {
    const bad = await appCall(server, 'POST', '/v1/transactional', {
      name: 'broken',
      title: 'ok',
      message: 'line one\n{{ customer.name ',
    });
    expect(bad.status).toBe(400);
    const detail = (bad.body as { errors: Array<{ detail: string }> }).errors[0]!.detail;
    expect(detail).toMatch(/message/);
    expect(detail).toMatch(/line 2/);

    const ok = await appCall<{ message: { id: number } }>(server, 'POST', '/v1/transactional', {
      name: 'Welcome',
      title: 'Hi {{ customer.first_name }}',
      message: 'Code {{ trigger.code }} on {{ device.platform }} ({{ device.app_version | default: "?" }})',
      link: 'app://welcome/{{ customer.id }}',
      custom_data: { plan: '{{ customer.plan }}' },
    });
    expect(ok.status).toBe(200);
    const list = await appCall<{ messages: Array<{ id: number; name: string }> }>(
      server,
      'GET',
      '/v1/transactional',
    );
    expect(list.body.messages.map((m) => m.name)).toEqual(['ping', 'Welcome']);
    const one = await appCall(server, 'GET', `/v1/transactional/${ok.body.message.id}`);
    expect(one.body).toMatchObject({
      message: { name: 'Welcome', custom_data: { plan: '{{ customer.plan }}' } },
    });
    // An id past a safe integer (and PostgreSQL's bigint) is no template: a 404, not a 500.
    const huge = await appCall(server, 'GET', '/v1/transactional/99999999999999999999999');
    expect(huge.status).toBe(404);
  });

  it('sends a personalised push to every device of a person (customerio-node sendPush, getMessage)', async () => {
    const req = new SendPushRequest({
      transactional_message_id: 'WELCOME',
      identifiers: { id: 'ann' },
      message_data: { code: '42' },
    });
    const answer = (await api.sendPush(req)) as { delivery_id: string; queued_at: number };
    expect(answer.delivery_id).toBeTruthy();
    expect(answer.queued_at).toBeGreaterThan(1_700_000_000);

    const [ios] = await waitFor('APNs push', () => apnsFor(iosToken).length > 0 && apnsFor(iosToken));
    const [android] = await waitFor('FCM push', () => fcmFor('fcm-ann').length > 0 && fcmFor('fcm-ann'));
    expect(ios!.payload).toMatchObject({
      aps: { alert: { title: 'Hi Ann', body: 'Code 42 on ios (2.1)' } },
      CIO: { push: { link: 'app://welcome/ann' } },
      plan: 'pro',
    });
    expect(android!.message).toMatchObject({
      notification: { title: 'Hi Ann', body: 'Code 42 on android (?)' },
      data: expect.objectContaining({ plan: 'pro', link: 'app://welcome/ann' }),
    });
    const deliveryIds = [
      ios!.payload['CIO-Delivery-ID'],
      (android!.message.data as Record<string, string>)['CIO-Delivery-ID'],
    ];
    expect(deliveryIds).toContain(answer.delivery_id);

    const got = (await api.getMessage(answer.delivery_id)) as Msg;
    await waitFor('sent metric', async () => (await message(answer.delivery_id)).metrics.sent);
    expect(got.message).toMatchObject({
      id: answer.delivery_id,
      type: 'push',
      customer_id: 'ann',
      transactional_message_id: 2,
    });
    const mine = await appCall<{ messages: Array<{ id: string }> }>(
      server,
      'GET',
      '/v1/customers/ann/messages',
    );
    expect(mine.body.messages.map((m) => m.id).sort()).toEqual([...deliveryIds].sort());
  });

  it('an unsubscribe link (no credentials) on a real delivery unsubscribes its person; the server keeps serving', async () => {
    const answer = (await api.sendPush(
      new SendPushRequest({
        transactional_message_id: 'WELCOME',
        identifiers: { id: 'ann' },
        to: 'last_used',
      }),
    )) as { delivery_id: string };
    const unsubscribe = (flag: boolean) =>
      fetch(`${server.url}/unsubscribe/${answer.delivery_id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unsubscribe: flag }),
        signal: AbortSignal.timeout(5000),
      });
    expect((await unsubscribe(true)).status).toBe(200);
    const attrs = await appCall<{ customer: { unsubscribed: boolean } }>(
      server,
      'GET',
      '/v1/customers/ann/attributes',
    );
    expect(attrs.body.customer).toMatchObject({ unsubscribed: true });
    // Back, for the tests after this one; and the store still answers.
    expect((await unsubscribe(false)).status).toBe(200);
    expect((await trackCall(server, 'PUT', '/api/v1/customers/ann', { plan: 'pro' })).status).toBe(200);
  });

  it('sends to the last used device, or to one token', async () => {
    const before = { ios: apnsFor(iosToken).length, android: fcmFor('fcm-ann').length };
    const last = await send({
      identifiers: { email: 'ANN@example.com' },
      transactional_message_id: 'ping',
      to: 'last_used',
    });
    expect(last.status).toBe(200);
    await waitFor('last_used push', () => fcmFor('fcm-ann').length === before.android + 1);
    const one = await send({
      identifiers: { id: 'ann' },
      transactional_message_id: 'ping',
      to: iosToken,
      title: 'Just {{ device.platform }}',
      sound: 'none',
    });
    expect(one.status).toBe(200);
    await waitFor('token push', () => apnsFor(iosToken).length === before.ios + 1);
    const last1 = apnsFor(iosToken).at(-1)!.payload as { aps: Record<string, unknown> };
    expect(last1.aps).toMatchObject({ alert: { title: 'Just ios', body: 'Ping' } });
    expect(last1.aps.sound).toBeUndefined();
    expect(fcmFor('fcm-ann').length).toBe(before.android + 1);

    const notHers = await send({
      identifiers: { id: 'ann' },
      transactional_message_id: 'ping',
      to: 'someone-elses',
    });
    expect(notHers.status).toBe(200);
    const m = await message((notHers.body as { delivery_id: string }).delivery_id);
    expect(m.metrics.undeliverable).toBeGreaterThan(0);
    expect(m.failure_message).toMatch(/not on this profile/);
  });

  it('answers 400 meta.error on bad requests and template syntax errors', async () => {
    expect(
      await send({ identifiers: { id: 'ann', email: 'ann@example.com' }, transactional_message_id: 'ping' }),
    ).toEqual({
      status: 400,
      body: { meta: { error: 'identifiers must contain exactly one of id, email or cio_id' } },
    });
    expect(await send({ identifiers: { id: 'ann' }, transactional_message_id: 'nope' })).toEqual({
      status: 400,
      body: { meta: { error: 'transactional message not found' } },
    });
    const syntax = await send({
      identifiers: { id: 'ann' },
      transactional_message_id: 'ping',
      message: 'a\nb\n{% if %}',
    });
    expect(syntax.status).toBe(400);
    expect((syntax.body as { meta: { error: string } }).meta.error).toMatch(/line 3/);
    const future = await send({
      identifiers: { id: 'ann' },
      transactional_message_id: 'ping',
      send_at: 4_000_000_000,
    });
    expect(future.status).toBe(400);
  });

  it('schedules with send_at, upserts custom_device, honours send_to_unsubscribed and queue_draft', async () => {
    const at = Math.floor(Date.now() / 1000) + 3600;
    const later = await send({
      identifiers: { id: 'ann' },
      transactional_message_id: 'ping',
      send_at: at,
      to: 'fcm-ann',
    });
    expect(later.body).toMatchObject({ send_at: at });

    const dev = await send({
      identifiers: { id: 'bob' },
      transactional_message_id: 'ping',
      custom_device: { token: 'fcm-bob', platform: 'android', attributes: { app_version: '1' } },
    });
    expect(dev.status).toBe(200);
    await waitFor('custom_device push', () => fcmFor('fcm-bob').length === 1);
    const bob = (await api.getAttributes('bob')) as {
      customer: { devices: Array<{ id: string; attributes: Record<string, string> }> };
    };
    expect(bob.customer.devices).toEqual([
      expect.objectContaining({ id: 'fcm-bob', attributes: expect.objectContaining({ app_version: '1' }) }),
    ]);
    await waitFor('bob sent status', async () => {
      const c = (await api.getAttributes('bob')) as typeof bob;
      return c.customer.devices[0]?.attributes._last_status === 'sent';
    });

    await trackCall(server, 'PUT', '/api/v1/customers/bob', { unsubscribed: true });
    const skip = await send({
      identifiers: { id: 'bob' },
      transactional_message_id: 'ping',
      send_to_unsubscribed: false,
    });
    const skipped = await message((skip.body as { delivery_id: string }).delivery_id);
    expect(skipped.metrics.undeliverable).toBeGreaterThan(0);
    const draft = await send({
      identifiers: { id: 'bob' },
      transactional_message_id: 'ping',
      queue_draft: true,
    });
    const drafted = await message((draft.body as { delivery_id: string }).delivery_id);
    expect(drafted.metrics).toEqual({ drafted: expect.any(Number) });
    await deliveryBarrier(server, fakes, 'ping');
    expect(fcmFor('fcm-bob').length).toBe(1);
  });

  it('bounces then suppresses a device, and deletes an unregistered one', async () => {
    await trackCall(server, 'PUT', '/api/v1/customers/cat/devices', {
      device: { id: deadApns, platform: 'ios' },
    });
    await trackCall(server, 'PUT', '/api/v1/customers/cat/devices', {
      device: { id: 'fcm-gone', platform: 'android' },
    });
    fakes.apns.script(
      deadApns,
      { status: 400, reason: 'DeviceTokenNotForTopic' },
      { status: 400, reason: 'DeviceTokenNotForTopic' },
    );
    fakes.fcm.script('fcm-gone', 'UNREGISTERED');
    const status = async () => {
      const c = (await api.getAttributes('cat')) as {
        customer: { devices: Array<{ id: string; attributes: Record<string, string> }> };
      };
      return new Map(c.customer.devices.map((d) => [d.id, d.attributes._last_status]));
    };
    const first = await send({ identifiers: { id: 'cat' }, transactional_message_id: 'ping' });
    await waitFor('bounce + unregistered', async () => {
      const s = await status();
      return s.get(deadApns) === 'bounced' && !s.has('fcm-gone');
    });
    const firstMsg = await message((first.body as { delivery_id: string }).delivery_id);
    expect(Object.keys(firstMsg.metrics)).toContain('bounced');

    await send({ identifiers: { id: 'cat' }, transactional_message_id: 'ping' });
    await waitFor('suppressed', async () => (await status()).get(deadApns) === 'suppressed');
    const received = apnsFor(deadApns).length;
    const third = await send({ identifiers: { id: 'cat' }, transactional_message_id: 'ping' });
    const thirdMsg = await message((third.body as { delivery_id: string }).delivery_id);
    expect(thirdMsg.metrics.undeliverable).toBeGreaterThan(0);
    await deliveryBarrier(server, fakes, 'ping');
    expect(apnsFor(deadApns).length).toBe(received);
    const acts = await appCall<{ activities: Array<{ type: string; data: Record<string, unknown> }> }>(
      server,
      'GET',
      '/v1/customers/cat/activities?limit=100',
    );
    expect(acts.body.activities.map((a) => a.type)).toEqual(
      expect.arrayContaining(['bounced_push', 'device_change']),
    );
  });

  it('records delivered/opened reported by the SDK on the message and in the history', async () => {
    const sent = await send({ identifiers: { id: 'ann' }, transactional_message_id: 'ping', to: 'fcm-ann' });
    const id = (sent.body as { delivery_id: string }).delivery_id;
    await waitFor('sent', async () => (await message(id)).metrics.sent);
    const ev = await fetch(`${server.url}/push/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        delivery_id: id,
        event: 'opened',
        device_id: 'fcm-ann',
        timestamp: 1_750_000_000,
      }),
    });
    expect(ev.status).toBe(200);
    await trackCall(server, 'POST', '/api/v1/metrics', {
      delivery_id: id,
      metric: 'delivered',
      device_id: 'fcm-ann',
    });
    await trackCall(server, 'POST', '/api/v1/metrics', {
      delivery_id: id,
      metric: 'delivered',
      device_id: 'fcm-ann',
    });
    const m = await message(id);
    expect(m.metrics).toMatchObject({ opened: 1_750_000_000, delivered: expect.any(Number) });
    const acts = await appCall<{ activities: Array<{ type: string; delivery_id?: string }> }>(
      server,
      'GET',
      '/v1/customers/ann/activities?limit=100',
    );
    const mineActs = acts.body.activities
      .filter((a) => a.delivery_id === id)
      .map((a) => a.type)
      .sort();
    expect(mineActs).toEqual(['delivered_push', 'opened_push', 'sent_push']);
    const opened = await appCall<{ messages: Array<{ id: string }> }>(
      server,
      'GET',
      '/v1/messages?type=push&metric=opened',
    );
    expect(opened.body.messages.map((x) => x.id)).toContain(id);
  });

  it('previews a template for a person and device', async () => {
    const p = await appCall(server, 'POST', '/v1/templates/preview', {
      template: {
        title: 'Hi {{ customer.first_name }}',
        message: '{{ event.item }} / {{ trigger.x }} / {{ device.token }}',
      },
      customer_id: 'ann',
      device_token: iosToken,
      event: { item: 'tea' },
      trigger: { x: 1 },
    });
    expect(p).toEqual({
      status: 200,
      body: {
        rendered: expect.objectContaining({ title: 'Hi Ann', message: `tea / 1 / ${iosToken}` }),
      },
    });
    const bad = await appCall(server, 'POST', '/v1/templates/preview', {
      template: { title: 'x', message: '{{ x ' },
      customer_id: 'ann',
    });
    expect(bad.status).toBe(400);
    const nobody = await appCall(server, 'POST', '/v1/templates/preview', {
      template: { title: 'x', message: 'y' },
      customer_id: 'nobody',
    });
    expect(nobody.status).toBe(404);
  });

  it('runs a campaign triggered by an event, once per event', async () => {
    const c = await appCall<{ campaign: { id: number } }>(server, 'POST', '/v1/campaigns', {
      name: 'Thanks',
      type: 'triggered',
      trigger: { event: 'purchase' },
      filter: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
      template: { title: 'Thanks {{ customer.first_name }}', message: 'You bought {{ event.item }}' },
    });
    expect(c.status).toBe(200);
    await trackCall(server, 'PUT', '/api/v1/customers/dan', { plan: 'free' });
    await trackCall(server, 'PUT', '/api/v1/customers/dan/devices', {
      device: { id: 'fcm-dan', platform: 'android' },
    });
    const eventId = '01HZX3K0000000000000000001';
    for (let i = 0; i < 2; i++)
      await trackCall(server, 'POST', '/api/v1/customers/ann/events', {
        name: 'purchase',
        id: eventId,
        data: { item: 'tea' },
      });
    await trackCall(server, 'POST', '/api/v1/customers/ann/events', {
      name: 'purchase',
      data: { item: 'cake' },
    });
    await trackCall(server, 'POST', '/api/v1/customers/dan/events', {
      name: 'purchase',
      data: { item: 'pie' },
    });
    const thanks = () =>
      fcmFor('fcm-ann').filter((r) => (r.message.notification as { title: string }).title === 'Thanks Ann');
    await waitFor('campaign pushes', () => thanks().length === 2);
    expect(
      thanks()
        .map((r) => (r.message.notification as { body: string }).body)
        .sort(),
    ).toEqual(['You bought cake', 'You bought tea']);
    expect(fcmFor('fcm-dan')).toEqual([]);
    await waitFor('campaign metrics', async () => {
      const got = await appCall<{ campaign: { metrics: { sent: number } } }>(
        server,
        'GET',
        `/v1/campaigns/${c.body.campaign.id}`,
      );
      return got.body.campaign.metrics.sent === 4; // two events × two devices
    });
    const list = await appCall<{ campaigns: Array<{ id: number; metrics: Record<string, number> }> }>(
      server,
      'GET',
      '/v1/campaigns',
    );
    expect(list.body.campaigns.find((x) => x.id === c.body.campaign.id)!.metrics).toMatchObject({
      sent: 4,
      failed: 0,
    });
  });

  it('runs a campaign triggered by entering a segment', async () => {
    const seg = await appCall<{ segment: { id: number } }>(server, 'POST', '/v1/segments', {
      segment: { name: 'VIPs', conditions: { attribute: { field: 'tier', operator: 'eq', value: 'vip' } } },
    });
    expect(seg.status).toBe(200);
    const c = await appCall(server, 'POST', '/v1/campaigns', {
      name: 'Welcome VIP',
      type: 'triggered',
      trigger: { segment_entered: seg.body.segment.id },
      template: { title: 'VIP', message: 'Welcome {{ customer.id }} to segment {{ trigger.segment_id }}' },
    });
    expect(c.status).toBe(200);
    await trackCall(server, 'PUT', '/api/v1/customers/eve/devices', {
      device: { id: 'fcm-eve', platform: 'android' },
    });
    expect(fcmFor('fcm-eve')).toEqual([]);
    await trackCall(server, 'PUT', '/api/v1/customers/eve', { tier: 'vip' });
    await trackCall(server, 'PUT', '/api/v1/customers/eve', { tier: 'vip', extra: 1 });
    const [push] = await waitFor('segment push', () => fcmFor('fcm-eve').length > 0 && fcmFor('fcm-eve'));
    expect(push!.message.notification).toMatchObject({
      body: `Welcome eve to segment ${seg.body.segment.id}`,
    });
    await deliveryBarrier(server, fakes, 'ping');
    expect(fcmFor('fcm-eve').length).toBe(1);
  });

  it('rotates the App key: the old key stops working', async () => {
    const rotated = await appCall<{ app_api_key: string }>(server, 'POST', '/v1/workspace/rotate-keys', {
      app: true,
    });
    expect(rotated.status).toBe(200);
    expect((await appCall(server, 'GET', '/v1/workspace')).status).toBe(401);
    const next = await appCall(server, 'GET', '/v1/workspace', undefined, rotated.body.app_api_key);
    expect(next.status).toBe(200);
    server.credentials.appApiKey = rotated.body.app_api_key;
  });
});
