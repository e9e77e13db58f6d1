import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appCall, startFakes, trackCall, waitFor, type Fakes } from './helpers.js';

type Msg = { message: { id: string; metrics: Record<string, number>; failure_message: string | null } };
type Device = { id: string; platform: string; attributes: { _last_status?: string } };
type Attrs = { customer: { devices: Device[] } };

/**
 * The development push provider (`PUT /v1/workspace/push-providers/log`), end to end on a real
 * `roster serve`: it accepts pushes for every platform without credentials, logs them, and records
 * them through the same outbox, message metrics and `_last_status` lifecycle as APNs and FCM;
 * token prefixes script bounces, dead tokens and failures; real providers take precedence.
 */
describe.each(engines())('the log push provider (%s)', (engine) => {
  let server: ServerProcess;
  let fakes: Fakes | undefined;

  const send = (body: Record<string, unknown>) => appCall(server, 'POST', '/v1/send/push', body);
  const message = async (id: string) =>
    (await appCall<Msg>(server, 'GET', `/v1/messages/${id}`)).body.message;
  const devices = async (id: string) =>
    (await appCall<Attrs>(server, 'GET', `/v1/customers/${id}/attributes`)).body.customer.devices;
  const device = async (person: string, token: string) => (await devices(person)).find((d) => d.id === token);
  const addDevice = async (person: string, token: string, platform: string) => {
    const res = await trackCall(server, 'PUT', `/api/v1/customers/${person}/devices`, {
      device: { id: token, platform },
    });
    expect(res.status).toBe(200);
  };
  /** Sends template `hello` to one device and waits until the message has `metric`. */
  const sendTo = async (person: string, token: string, metric: string) => {
    const res = await send({ identifiers: { id: person }, transactional_message_id: 'hello', to: token });
    expect(res.status).toBe(200);
    const id = (res.body as { delivery_id: string }).delivery_id;
    return waitFor(`${metric} on the push to ${token}`, async () => {
      const m = await message(id);
      return m.metrics[metric] ? m : undefined;
    });
  };

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'info' } });
    await trackCall(server, 'PUT', '/api/v1/customers/ann', { first_name: 'Ann' });
    const tm = await appCall(server, 'POST', '/v1/transactional', {
      name: 'hello',
      title: 'Hi {{ customer.first_name }}',
      message: 'Your {{ device.platform }} says hello',
    });
    expect(tm.status).toBe(200);
  });

  afterAll(async () => {
    await server?.cleanup();
    await fakes?.stop();
  });

  it('is turned on with an empty PUT and shown in the workspace with its rules', async () => {
    await addDevice('ann', 'ann-iphone', 'ios');
    const denied = await send({ identifiers: { id: 'ann' }, transactional_message_id: 'hello' });
    expect(denied.status).toBe(403);

    const on = await appCall(server, 'PUT', '/v1/workspace/push-providers/log');
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({
      workspace: {
        push_providers: [
          {
            kind: 'log',
            app_identifier: '',
            configured: true,
            rules: [
              { prefix: 'bounce', outcome: 'bounced' },
              { prefix: 'invalid', outcome: 'invalid' },
              { prefix: 'fail', outcome: 'failed' },
            ],
          },
        ],
      },
    });
  });

  it('accepts a push for any platform, logs it, and records it as sent', async () => {
    await addDevice('ann', 'ann-browser', 'web');
    const ios = await sendTo('ann', 'ann-iphone', 'sent');
    const web = await sendTo('ann', 'ann-browser', 'sent');
    expect(ios.failure_message).toBeNull();
    expect(web.failure_message).toBeNull();
    expect(await device('ann', 'ann-iphone')).toMatchObject({ attributes: { _last_status: 'sent' } });
    expect(await device('ann', 'ann-browser')).toMatchObject({ attributes: { _last_status: 'sent' } });
    // The rendered push is in the server's log, with its delivery id.
    await waitFor('the log line of the push', () => server.output().includes(ios.id));
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes(ios.id) && l.includes('log provider'));
    expect(JSON.parse(line!)).toMatchObject({
      provider: 'log',
      delivery_id: ios.id,
      platform: 'ios',
      token: 'ann-iphone',
      title: 'Hi Ann',
      body: 'Your ios says hello',
      outcome: 'sent',
    });
    const activities = await appCall<{ activities: Array<{ type: string; delivery_id?: string }> }>(
      server,
      'GET',
      '/v1/customers/ann/activities?type=sent_push',
    );
    expect(activities.body.activities.map((a) => a.delivery_id)).toContain(ios.id);
  });

  it('scripts a bounce by token prefix: bounced, then suppressed, then undeliverable', async () => {
    await addDevice('ann', 'bounce-pixel', 'android');
    const first = await sendTo('ann', 'bounce-pixel', 'bounced');
    expect(first.failure_message).toContain('scripted bounce');
    expect(await device('ann', 'bounce-pixel')).toMatchObject({ attributes: { _last_status: 'bounced' } });
    await sendTo('ann', 'bounce-pixel', 'bounced');
    expect(await device('ann', 'bounce-pixel')).toMatchObject({ attributes: { _last_status: 'suppressed' } });
    const third = await sendTo('ann', 'bounce-pixel', 'undeliverable');
    expect(third.failure_message).toBe('every device is suppressed');
  });

  it('scripts an invalid token (the device is removed) and a failure (the device is kept)', async () => {
    await addDevice('ann', 'invalid-pixel', 'android');
    const dead = await sendTo('ann', 'invalid-pixel', 'bounced');
    expect(dead.failure_message).toContain('scripted invalid token');
    expect(await device('ann', 'invalid-pixel')).toBeUndefined();

    await addDevice('ann', 'fail-pixel', 'android');
    const failed = await sendTo('ann', 'fail-pixel', 'failed');
    expect(failed.failure_message).toContain('scripted failure');
    const kept = await device('ann', 'fail-pixel');
    expect(kept).toBeDefined();
    expect(['sent', 'bounced', 'suppressed']).not.toContain(kept!.attributes._last_status);
  });

  it('takes rules of its own, and refuses bad ones naming the field', async () => {
    const bad = await appCall(server, 'PUT', '/v1/workspace/push-providers/log', {
      rules: [{ prefix: 'x', outcome: 'exploded' }],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain(
      'rules[0].outcome must be one of sent, bounced, invalid, failed',
    );
    const app = await appCall(server, 'PUT', '/v1/workspace/push-providers/log', { app_identifier: 'a.b' });
    expect(app.status).toBe(400);
    const unknown = await appCall(server, 'PUT', '/v1/workspace/push-providers/carrier-pigeon', {});
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toContain('use one of apns, fcm, log');

    const custom = await appCall(server, 'PUT', '/v1/workspace/push-providers/log', {
      rules: [{ prefix: 'dead-', outcome: 'invalid' }],
    });
    expect(custom.status).toBe(200);
    await addDevice('ann', 'dead-tablet', 'android');
    await sendTo('ann', 'dead-tablet', 'bounced');
    expect(await device('ann', 'dead-tablet')).toBeUndefined();
    // 'bounce…' is an ordinary token under these rules.
    await addDevice('ann', 'bounce-watch', 'android');
    await sendTo('ann', 'bounce-watch', 'sent');
  });

  it('gives way to a real provider when one is configured, and can be turned off', async () => {
    fakes = await startFakes();
    const fcm = await appCall(server, 'PUT', '/v1/workspace/push-providers/fcm', {
      service_account: fakes.fcm.account.json,
      endpoint: fakes.fcm.origin,
    });
    expect(fcm.status).toBe(200);
    await addDevice('ann', 'real-pixel', 'android');
    const viaFcm = await sendTo('ann', 'real-pixel', 'sent');
    expect(fakes.fcm.received.some((r) => r.token === 'real-pixel' && r.status === 200)).toBe(true);
    expect(server.output()).not.toContain(`"delivery_id":"${viaFcm.id}"`);

    const del = await appCall(server, 'DELETE', '/v1/workspace/push-providers/log');
    expect(del.status).toBe(204);
    const ws = await appCall<{ workspace: { push_providers: Array<{ kind: string }> } }>(
      server,
      'GET',
      '/v1/workspace',
    );
    expect(ws.body.workspace.push_providers.map((p) => p.kind)).toEqual(['fcm']);
  });
});
