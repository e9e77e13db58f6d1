import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appCall, configureProviders, startFakes, trackCall, waitFor, type Fakes } from './helpers.js';

/**
 * A push over the providers' 4 KB limit fails as the message's fault when it
 * is queued, is never sent, and never counts as a device bounce (before, FCM's "Message is too big"
 * was a bounce, and two of them suppressed a healthy device).
 */
describe.each(engines())('push payload size (%s)', (engine) => {
  let server: ServerProcess;
  let fakes: Fakes;

  beforeAll(async () => {
    fakes = await startFakes();
    server = await startServer({ engine });
    await configureProviders(server, fakes);
    for (const body of [
      { name: 'long', title: 't', message: '{% for i in (1..500) %}0123456789{% endfor %}' },
      { name: 'plain', title: 't', message: 'hello' },
    ])
      expect((await appCall(server, 'POST', '/v1/transactional', body)).status).toBe(200);
    expect(
      (
        await trackCall(server, 'PUT', '/api/v1/customers/sizeuser/devices', {
          device: { id: 'fcm-size', platform: 'android' },
        })
      ).status,
    ).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
    await fakes?.stop();
  });

  const message = (id: string) =>
    appCall<{ message: { failure_message?: string | null; metrics: Record<string, number> } }>(
      server,
      'GET',
      `/v1/messages/${id}`,
    );

  it('fails an oversized push as the message, never the device', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await appCall<{ delivery_id: string }>(server, 'POST', '/v1/send/push', {
        identifiers: { id: 'sizeuser' },
        transactional_message_id: 'long',
      });
      expect(r.status).toBe(200);
      const m = await message(r.body.delivery_id);
      expect(m.body.message.metrics.failed).toBeGreaterThan(0);
      expect(m.body.message.failure_message).toMatch(/over the 4096-byte limit/);
    }
    const custom = await appCall<{ delivery_id: string }>(server, 'POST', '/v1/send/push', {
      identifiers: { id: 'sizeuser' },
      transactional_message_id: 'plain',
      custom_data: { big: 'x'.repeat(5_000) },
    });
    expect(custom.status).toBe(200);
    expect((await message(custom.body.delivery_id)).body.message.failure_message).toMatch(/4096-byte limit/);
    // The device is as healthy as before, and a normal push reaches it.
    const ok = await appCall<{ delivery_id: string }>(server, 'POST', '/v1/send/push', {
      identifiers: { id: 'sizeuser' },
      transactional_message_id: 'plain',
    });
    expect(ok.status).toBe(200);
    await waitFor('the normal push', () => fakes.fcm.received.some((r) => r.token === 'fcm-size'));
    expect(fakes.fcm.received.filter((r) => r.token === 'fcm-size')).toHaveLength(1);
    const person = await appCall<{
      customer: { devices: Array<{ id: string; attributes: Record<string, unknown> }> };
    }>(server, 'GET', '/v1/customers/sizeuser/attributes');
    const device = person.body.customer.devices.find((d) => d.id === 'fcm-size');
    expect(device?.attributes._last_status).not.toMatch(/bounced|suppressed/);
  });
});
