import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { appCall, trackCall } from '../messaging/helpers.js';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';

/** Changes that reach webhooks from the push pipeline and the objects write path. */
describe.each(engines())('webhooks from messages and objects (%s)', (engine) => {
  let server: ServerProcess;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startServer({ engine, env: { ROSTER_WEBHOOK_ALLOW_PRIVATE: '1' } });
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
    await receiver?.down();
  });

  it('a push sent through the development provider makes message.sent', async () => {
    const hook = await appCall<{ webhook: { id: number } }>(server, 'POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['message.sent', 'message.failed'],
    });
    expect(hook.status).toBe(200);
    expect((await appCall(server, 'PUT', '/v1/workspace/push-providers/log')).status).toBe(200);
    expect((await trackCall(server, 'PUT', '/api/v1/customers/msg-1', { first_name: 'Dana' })).status).toBe(
      200,
    );
    expect(
      (
        await trackCall(server, 'PUT', '/api/v1/customers/msg-1/devices', {
          device: { id: 'msg-phone', platform: 'ios' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await appCall(server, 'POST', '/v1/transactional', { name: 'hello', title: 'Hi', message: 'there' }))
        .status,
    ).toBe(200);
    const sent = await appCall<{ delivery_id: string }>(server, 'POST', '/v1/send/push', {
      identifiers: { id: 'msg-1' },
      transactional_message_id: 'hello',
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const got = await waitFor('message.sent', () =>
      receiver.delivered.find((r) => r.body.type === 'message.sent'),
    );
    expect(got.body.data).toMatchObject({
      person: { id: 'msg-1' },
      message: { delivery_id: sent.body.delivery_id, channel: 'push' },
    });
    await appCall(server, 'DELETE', `/v1/webhooks/${hook.body.webhook.id}`);
  });

  it('object writes make object.* and relationship.* events', async () => {
    const hook = await appCall<{ webhook: { id: number } }>(server, 'POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['object.created', 'object.updated', 'object.deleted', 'relationship.added'],
    });
    expect(hook.status).toBe(200);
    const entity = (body: Record<string, unknown>) => trackCall(server, 'POST', '/api/v2/entity', body);
    const ids = { object_type_id: '1', object_id: 'acme' };
    expect(
      (
        await entity({
          type: 'object',
          action: 'identify',
          identifiers: ids,
          attributes: { plan: 'gold' },
          cio_relationships: [{ identifiers: { id: 'obj-person' } }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await entity({
          type: 'object',
          action: 'identify',
          identifiers: ids,
          attributes: { plan: 'platinum' },
        })
      ).status,
    ).toBe(200);
    expect((await entity({ type: 'object', action: 'delete', identifiers: ids })).status).toBe(200);
    const types = await waitFor('the object events', () => {
      const t = receiver.delivered
        .map((r) => r.body.type)
        .filter((x) => x.startsWith('object.') || x.startsWith('relationship.'));
      return t.includes('object.deleted') && t;
    });
    const objectTypes = types.filter((t) => t.startsWith('object.'));
    // In order: created (its first attributes come as an update right after), updated, deleted.
    expect(objectTypes[0]).toBe('object.created');
    expect(objectTypes.at(-1)).toBe('object.deleted');
    expect(objectTypes.slice(1, -1)).toEqual(['object.updated', 'object.updated']);
    expect(types).toContain('relationship.added');
    const updated = receiver.delivered.find(
      (r) => r.body.type === 'object.updated' && JSON.stringify(r.body.data).includes('platinum'),
    )!;
    expect(updated.body.data).toMatchObject({
      object: { object_type_id: '1', object_id: 'acme' },
      changed: ['plan'],
      changes: { plan: { from: 'gold', to: 'platinum' } },
    });
    await appCall(server, 'DELETE', `/v1/webhooks/${hook.body.webhook.id}`);
  });
});
