import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { appCall, trackCall } from '../messaging/helpers.js';
import { verifies, WebhookReceiver, type Received } from '../fakes/webhook-receiver.js';

interface Action {
  type: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  secret: string;
}
type Msg = {
  id: string;
  type: string;
  recipient: string;
  metrics: Record<string, number>;
  failure_message: string | null;
  campaign_id: number | null;
};

/**
 * Campaign webhook actions (docs/webhooks.md "Campaign webhook actions") through a real server and
 * a loopback receiver: triggered by an event, a segment entry and an object change, each request
 * carries the JSON body and headers rendered for its person, signed; a body that does not render
 * to JSON fails that message with the reason; preview renders without sending; test-send sends one.
 */
describe.each(engines())('campaign webhook actions (%s)', (engine) => {
  let server: ServerProcess;
  let receiver: WebhookReceiver;

  const create = async (body: Record<string, unknown>) => {
    const c = await appCall<{ campaign: { id: number; action: Action } }>(server, 'POST', '/v1/campaigns', {
      type: 'triggered',
      ...body,
    });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    return c.body.campaign;
  };
  const messagesOf = async (campaignId: number) =>
    (await appCall<{ messages: Msg[] }>(server, 'GET', `/v1/messages?campaign_id=${campaignId}`)).body
      .messages;
  const arrived = (pred: (r: Received) => boolean) =>
    waitFor('the webhook request', () => receiver.delivered.find(pred), 60_000);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startServer({ engine, env: { ROSTER_WEBHOOK_ALLOW_PRIVATE: '1' } });
    for (const [id, attrs] of [
      ['ann', { first_name: 'Ann', plan: 'pro' }],
      ['bob', { first_name: 'Bob', plan: 'free' }],
    ] as const)
      expect((await trackCall(server, 'PUT', `/api/v1/customers/${id}`, attrs)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
    await receiver?.down();
  });

  it('an event-triggered action sends the rendered JSON body and headers, signed; the message is sent', async () => {
    const c = await create({
      name: 'Order hook',
      trigger: { event: 'ordered' },
      action: {
        type: 'webhook',
        url: receiver.url,
        method: 'PUT',
        headers: { 'X-Customer': '{{ customer.id }}', Authorization: 'Bearer k-{{ customer.plan }}' },
        body: '{"id": {{ customer.id | json }}, "item": {{ event.item | json }}, "name": "{{ customer.first_name }}"}',
      },
    });
    expect(c.action).toMatchObject({ type: 'webhook', url: receiver.url, method: 'PUT' });
    expect(c.action.secret).toMatch(/^whsec_/);
    expect(
      (
        await trackCall(server, 'POST', '/api/v1/customers/ann/events', {
          name: 'ordered',
          data: { item: 'tea' },
        })
      ).status,
    ).toBe(200);
    const got = await arrived((r) => r.headers['x-customer'] === 'ann');
    expect(got.method).toBe('PUT');
    expect(JSON.parse(got.raw)).toEqual({ id: 'ann', item: 'tea', name: 'Ann' });
    expect(got.headers.authorization).toBe('Bearer k-pro');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.event).toBe('campaign.webhook');
    expect(verifies(c.action.secret, got)).toBe(true);
    const [m] = await waitFor('the message sent', async () => {
      const list = await messagesOf(c.id);
      return list.length === 1 && list[0]!.metrics.sent !== undefined && list;
    });
    expect(m).toMatchObject({ id: got.id, type: 'webhook', recipient: receiver.url, failure_message: null });
  });

  it('a segment-entry-triggered action arrives with trigger.segment_id', async () => {
    const seg = await appCall<{ segment: { id: number } }>(server, 'POST', '/v1/segments', {
      segment: { name: 'VIP', conditions: { attribute: { field: 'tier', operator: 'eq', value: 'vip' } } },
    });
    expect(seg.status).toBe(200);
    await create({
      name: 'VIP hook',
      trigger: { segment_entered: seg.body.segment.id },
      action: {
        type: 'webhook',
        url: receiver.url,
        body: '{"vip": {{ customer.id | json }}, "segment": {{ trigger.segment_id }}}',
      },
    });
    expect((await trackCall(server, 'PUT', '/api/v1/customers/bob', { tier: 'vip' })).status).toBe(200);
    const got = await arrived((r) => r.raw.includes('"vip"'));
    expect(got.method).toBe('POST');
    expect(JSON.parse(got.raw)).toEqual({ vip: 'bob', segment: seg.body.segment.id });
  });

  it('an object-change-triggered action reaches each related person with the object', async () => {
    expect(
      (await appCall(server, 'POST', '/v1/object_types', { name: 'Companies', singular_name: 'Company' }))
        .status,
    ).toBe(200);
    const company = (attributes: object, people: string[] = []) =>
      trackCall(server, 'POST', '/api/v2/entity', {
        type: 'object',
        action: 'identify',
        identifiers: { object_type_id: '1', object_id: 'acme' },
        attributes,
        cio_relationships: people.map((id) => ({ identifiers: { id } })),
      });
    expect((await company({ name: 'Acme', plan: 'team' }, ['ann', 'bob'])).status).toBe(200);
    await create({
      name: 'Plan hook',
      trigger: { object_changed: { type_id: '1', attributes: ['plan'] } },
      action: {
        type: 'webhook',
        url: receiver.url,
        headers: { 'X-Object': '{{ trigger.object.object_id }}' },
        body: '{"person": {{ customer.id | json }}, "plan": {{ trigger.object.plan | json }}}',
      },
    });
    expect((await company({ plan: 'enterprise' })).status).toBe(200);
    await waitFor(
      'both related people',
      () => receiver.delivered.filter((r) => r.headers['x-object'] === 'acme').length === 2,
      60_000,
    );
    const bodies = receiver.delivered
      .filter((r) => r.headers['x-object'] === 'acme')
      .map((r) => JSON.parse(r.raw) as { person: string })
      .sort((a, b) => a.person.localeCompare(b.person));
    expect(bodies).toEqual([
      { person: 'ann', plan: 'enterprise' },
      { person: 'bob', plan: 'enterprise' },
    ]);
  });

  it('a body that does not render to JSON fails its message with the reason, and nothing is sent', async () => {
    const c = await create({
      name: 'Broken hook',
      trigger: { event: 'broken' },
      action: { type: 'webhook', url: receiver.url, body: '{"id": {{ customer.id }}}' },
    });
    const before = receiver.all.length;
    expect((await trackCall(server, 'POST', '/api/v1/customers/ann/events', { name: 'broken' })).status).toBe(
      200,
    );
    const [m] = await waitFor('the failed message', async () => {
      const list = await messagesOf(c.id);
      return list.length === 1 && list;
    });
    expect(m!.metrics.failed).toBeGreaterThan(0);
    expect(m!.metrics.sent).toBeUndefined();
    expect(m!.failure_message).toContain('the body did not render to valid JSON');
    expect(receiver.all.length).toBe(before);
  });

  it('preview renders body and headers without sending; test-send sends one', async () => {
    const action = {
      type: 'webhook',
      url: receiver.url,
      headers: { 'X-Test': '{{ customer.first_name }}-{{ event.n }}' },
      body: '{"who": {{ customer.id | json }}, "n": {{ event.n }}}',
    };
    const before = receiver.all.length;
    const p = await appCall<{ rendered: Record<string, unknown> }>(
      server,
      'POST',
      '/v1/campaigns/webhook/preview',
      {
        action,
        customer_id: 'ann',
        event: { n: 7 },
      },
    );
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.rendered).toEqual({
      url: receiver.url,
      method: 'POST',
      headers: { 'X-Test': 'Ann-7' },
      body: '{"who": "ann", "n": 7}',
      error: null,
    });
    const notJson = await appCall<{ rendered: { error: string } }>(
      server,
      'POST',
      '/v1/campaigns/webhook/preview',
      {
        action: { ...action, body: 'nope {{ customer.id }}' },
        customer_id: 'ann',
      },
    );
    expect(notJson.body.rendered.error).toContain('valid JSON');
    expect(receiver.all.length).toBe(before);

    const c = await create({ name: 'Tested hook', trigger: { event: 'never' }, action });
    const sent = await appCall<{ delivery_id: string; error: string | null }>(
      server,
      'POST',
      `/v1/campaigns/${c.id}/test-send`,
      { customer_id: 'bob', event: { n: 1 } },
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.error).toBeNull();
    const got = await arrived((r) => r.id === sent.body.delivery_id);
    expect(JSON.parse(got.raw)).toEqual({ who: 'bob', n: 1 });
    expect(got.headers['x-test']).toBe('Bob-1');
    await waitFor('the test message sent', async () => {
      const m = await appCall<{ message: Msg }>(server, 'GET', `/v1/messages/${sent.body.delivery_id}`);
      return m.body.message?.metrics.sent !== undefined;
    });
    expect(receiver.all.filter((r) => r.id === sent.body.delivery_id)).toHaveLength(1);
  });

  it('refuses a bad action with a 400 naming the field', async () => {
    const bad = async (action: Record<string, unknown>, pointer: string) => {
      const r = await appCall<{ errors: Array<{ detail: string; source?: { pointer: string } }> }>(
        server,
        'POST',
        '/v1/campaigns',
        {
          name: 'bad',
          type: 'triggered',
          trigger: { event: 'x' },
          action: { type: 'webhook', url: receiver.url, body: '{}', ...action },
        },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(JSON.stringify(r.body)).toContain(pointer);
      return r.body.errors[0]!.detail;
    };
    expect(await bad({ url: 'ftp://example.com/x' }, '/action/url')).toContain('http(s)');
    expect(await bad({ method: 'GET' }, '/action/method')).toContain('POST, PUT or PATCH');
    expect(await bad({ headers: { Host: 'x' } }, '/action/headers')).toContain('cannot be given');
    expect(await bad({ headers: { 'Roster-Webhook-Id': 'x' } }, '/action/headers')).toContain(
      'cannot be given',
    );
    expect(
      await bad(
        { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-${i}`, 'v'])) },
        '/action/headers',
      ),
    ).toContain('more than 20');
    expect(await bad({ body: '{{ customer.id' }, '/action/body')).toContain('not valid Liquid');
    expect(await bad({ body: '' }, '/action/body')).toContain('required');
    expect(await bad({ type: 'sms' }, '/action/type')).toContain('push or webhook');
  });
});
