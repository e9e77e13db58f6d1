/**
 * Signed identify, client side (contracts: the v2 item field `identity_signature`; 403 = drop, not
 * retried, reported as an `error` event).
 */
import { describe, expect, it } from 'vitest';
import { createTestRoster } from '../src/testing/index.js';
import type { BatchOp } from '../src/core/wire.js';

const sig = (op: BatchOp) => ('identity_signature' in op ? op.identity_signature : undefined);

describe('signed identify', () => {
  it('puts the signature on every person op of that identity, none on anonymous ops or metrics, and clears it on clearIdentify', async () => {
    const { roster, transport } = createTestRoster();
    await roster.track('anonymous_browse');
    await roster.registerDeviceToken('tok-1');
    await roster.identify('u1', { first_name: 'Ada' }, { signature: '1767225600.aa11' });
    await roster.setProfileAttributes({ plan: 'pro' });
    await roster.setDeviceAttributes({ theme: 'dark' });
    await roster.track('purchase');
    await roster.screen('Home');
    await roster.trackMetric({ deliveryId: 'dlv-1', event: 'opened', deviceToken: 'tok-1' });
    await roster.clearIdentify();
    await roster.track('after_logout');
    await roster.flush();
    expect(transport.delivered.map((o) => [o.action, sig(o)])).toEqual([
      ['event', undefined],
      ['identify', '1767225600.aa11'],
      ['identify', '1767225600.aa11'],
      ['add_device', '1767225600.aa11'],
      ['event', '1767225600.aa11'],
      ['screen', '1767225600.aa11'],
      ['event', undefined], // the push metric
      ['delete_device', '1767225600.aa11'],
      ['event', undefined],
    ]);
  });

  it('another identify replaces the signature; ops already queued keep the one they were queued with', async () => {
    const { roster, transport } = createTestRoster();
    await roster.registerDeviceToken('tok-1');
    await roster.identify('u1', {}, { signature: '100.s1' });
    await roster.track('as_u1');
    await roster.identify('u2', {}, { signature: '100.s2' });
    await roster.track('as_u2');
    await roster.identify('u2', { again: true }); // no signature: none from now on
    await roster.track('unsigned');
    await roster.flush();
    expect(
      transport.delivered.map((o) => [o.action, 'id' in o.identifiers ? o.identifiers.id : '', sig(o)]),
    ).toEqual([
      ['identify', 'u1', '100.s1'],
      ['add_device', 'u1', '100.s1'],
      ['event', 'u1', '100.s1'],
      ['delete_device', 'u1', '100.s1'], // the old person's op, signed for the old person
      ['identify', 'u2', '100.s2'],
      ['add_device', 'u2', '100.s2'],
      ['event', 'u2', '100.s2'],
      ['identify', 'u2', undefined],
      ['event', 'u2', undefined],
    ]);
  });

  it('survives a restart: the signature is stored with the identity', async () => {
    const first = createTestRoster();
    await first.roster.identify('u1', {}, { signature: '100.s1' });
    await first.roster.shutdown({ timeoutMs: 0 });
    const next = createTestRoster({}, { storage: first.storage, clock: first.clock });
    await next.roster.track('later');
    await next.roster.flush();
    expect(next.transport.delivered.map((o) => [o.action, sig(o)])).toEqual([['event', '100.s1']]);
  });

  it('a 403 is dropped, not retried, and reported as an error event; the queue goes on', async () => {
    const { roster, transport, events } = createTestRoster();
    transport.reply({ status: 403, body: { meta: { error: 'identity signature expired' } } });
    await roster.identify('u1', {}, { signature: '1.expired' });
    await roster.flush();
    await roster.track('next');
    const result = await roster.flush();
    expect(result).toMatchObject({ left: 0, pausedUntil: null });
    expect(transport.requests.map((r) => r.ops.map((o) => o.action))).toEqual([['identify'], ['event']]);
    expect(events.filter((e) => e.name === 'paused')).toEqual([]);
    expect(events.find((e) => e.name === 'dropped')?.payload).toMatchObject({
      reason: 'rejected',
      status: 403,
    });
    expect(events.find((e) => e.name === 'error')?.payload).toMatchObject({ code: 'forbidden' });
  });

  it('a 207 item refused as forbidden is dropped with an error event; its neighbours are acknowledged', async () => {
    const { roster, transport, events } = createTestRoster();
    transport.reply({
      status: 207,
      body: { errors: [{ batch_index: 1, reason: 'forbidden', message: 'identity signature missing' }] },
    });
    await roster.track('anonymous');
    await roster.identify('u1');
    await roster.flush();
    expect(transport.delivered.map((o) => o.action)).toEqual(['event']);
    expect(events.find((e) => e.name === 'error')?.payload).toMatchObject({ code: 'forbidden' });
  });
});
