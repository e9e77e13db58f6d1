import { describe, expect, it } from 'vitest';
import { createTestRoster, FakeTransport } from '../src/testing/index.js';
import type { PersistedState } from '../src/core/state.js';

describe('the durable queue', () => {
  it('writes before sending: the stored document holds the op when the request goes out', async () => {
    const transport = new FakeTransport();
    const seen: number[] = [];
    const t = createTestRoster({}, { transport });
    transport.fallback = () => {
      seen.push(t.storage.read<PersistedState>('roster:site')!.queue.length);
      return { status: 200 };
    };
    await t.roster.track('a');
    await t.roster.flush();
    expect(seen).toEqual([1]);
    expect(t.storage.read<PersistedState>('roster:site')!.queue).toEqual([]);
  });

  it('a restart (new client over the same storage) delivers what was queued exactly once and in order', async () => {
    const first = createTestRoster();
    first.transport.fallback = { error: new Error('offline') };
    await first.roster.identify('u1', { first_name: 'Ada' });
    for (const n of ['a', 'b', 'c']) await first.roster.track(n);
    await first.roster.flush();
    await first.roster.shutdown({ timeoutMs: 10 });

    const second = createTestRoster({}, { storage: first.storage, clock: first.clock });
    expect((await second.roster.getState()).identifier).toBe('u1');
    await second.roster.flush();
    expect(second.transport.delivered.map((o) => ('name' in o ? o.name : o.action))).toEqual([
      'identify',
      'a',
      'b',
      'c',
    ]);

    const third = createTestRoster({}, { storage: first.storage, clock: first.clock });
    await third.roster.flush();
    expect(third.transport.requests).toHaveLength(0);
  });

  it('a crash after the server stored a batch but before the ack resends the same ULIDs', async () => {
    const first = createTestRoster();
    // The server receives the request, then the connection drops before the answer arrives.
    first.transport.fallback = { error: new Error('socket hang up') };
    await first.roster.track('a');
    await first.roster.track('b');
    await first.roster.flush();
    const firstIds = first.transport.requests[0]!.ops.map((o) => ('id' in o ? o.id : ''));

    const second = createTestRoster({}, { storage: first.storage, clock: first.clock });
    await second.roster.flush();
    const resentIds = second.transport.delivered.map((o) => ('id' in o ? o.id : ''));
    expect(resentIds).toEqual(firstIds);
    expect(new Set(resentIds).size).toBe(2);
  });

  it('keeps call order even when storage is slow', async () => {
    const t = createTestRoster();
    const setItem = t.storage.setItem.bind(t.storage);
    t.storage.setItem = async (k, v) => {
      await new Promise((r) => setTimeout(r, 2));
      return setItem(k, v);
    };
    const calls = [
      t.roster.identify('u1'),
      t.roster.registerDeviceToken('tok'),
      t.roster.identify('u2'),
      t.roster.clearIdentify(),
    ];
    await Promise.all(calls);
    await t.roster.flush();
    expect(t.transport.delivered.map((o) => `${o.action}:${Object.values(o.identifiers).join()}`)).toEqual([
      'identify:u1',
      'add_device:u1',
      'delete_device:u1',
      'identify:u2',
      'add_device:u2',
      'delete_device:u2',
    ]);
  });

  it('reports a failed storage write as an error event without rejecting', async () => {
    const t = createTestRoster();
    await t.roster.getState();
    t.storage.failWrites = new Error('QuotaExceededError');
    await expect(t.roster.track('a')).resolves.toBeUndefined();
    expect(t.events.find((e) => e.name === 'error')?.payload).toMatchObject({ code: 'storage' });
  });

  it('refreshes the registration (last_used) at launch when identified with a token', async () => {
    const first = createTestRoster();
    await first.roster.registerDeviceToken('tok');
    await first.roster.identify('u1');
    await first.roster.flush();
    await first.clock.advance(86_400_000);
    const second = createTestRoster({}, { storage: first.storage, clock: first.clock });
    await second.roster.flush();
    expect(second.transport.delivered).toMatchObject([
      { action: 'add_device', device: { token: 'tok', last_used: Math.floor(first.clock.now() / 1000) } },
    ]);
  });
});
