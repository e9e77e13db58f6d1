import { describe, expect, it } from 'vitest';
import { createTestRoster, FakeTransport } from '../src/testing/index.js';

describe('the durable queue', () => {
  it('writes before sending: the stored document holds the op when the request goes out', async () => {
    const transport = new FakeTransport();
    const seen: number[] = [];
    const t = createTestRoster({}, { transport });
    transport.fallback = () => {
      seen.push(t.storage.read('roster:site')!.queue.length);
      return { status: 200 };
    };
    await t.roster.track('a');
    await t.roster.flush();
    expect(seen).toEqual([1]);
    expect(t.storage.read('roster:site')!.queue).toEqual([]);
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

describe('the stored format', () => {
  it('a document written by SDK 0.1 (one JSON document, v1) is read, sent, and rewritten in this format', async () => {
    const { MemoryStorage } = await import('../src/testing/index.js');
    const storage = new MemoryStorage();
    const op = {
      type: 'person',
      identifiers: { id: 'u1' },
      action: 'event',
      id: '01J0V1',
      name: 'old',
      timestamp: 1735689600,
      attributes: {},
    };
    storage.data.set(
      'roster:site',
      JSON.stringify({
        v: 1,
        identifier: 'u1',
        anonymousId: '01ANON',
        anonymousActivity: false,
        token: 'tok',
        deviceAttributes: { theme: 'dark' },
        pendingProfile: {},
        queue: [
          { id: '01J0V1', kind: 'event', at: Date.UTC(2025, 0, 1), bytes: JSON.stringify(op).length, op },
        ],
        delivery: { attempts: 0, retryAt: null, serverWait: false, pausedUntil: null, maxItems: null },
      }),
    );
    const t = createTestRoster({}, { storage });
    expect(await t.roster.getState()).toMatchObject({
      identifier: 'u1',
      token: 'tok',
      deviceAttributes: { theme: 'dark' },
    });
    await t.roster.track('new');
    await t.roster.flush();
    expect(
      t.transport.delivered.filter((o) => o.action === 'event').map((o) => ('name' in o ? o.name : '')),
    ).toEqual(['old', 'new']);
    expect(storage.data.get('roster:site')!.startsWith('{"v":2,')).toBe(true);
  });

  it('one op per line after the identity: a damaged line loses that op only', async () => {
    const first = createTestRoster();
    first.transport.fallback = { error: new Error('offline') };
    for (const n of ['a', 'b', 'c']) await first.roster.track(n);
    await first.roster.shutdown({ timeoutMs: 0 });
    const lines = first.storage.data.get('roster:site')!.split('\n');
    expect(lines).toHaveLength(4);
    lines[2] = lines[2]!.slice(0, 20); // torn by a buggy storage adapter
    first.storage.data.set('roster:site', lines.join('\n'));
    const next = createTestRoster({}, { storage: first.storage, clock: first.clock });
    await next.roster.flush();
    expect(next.transport.delivered.map((o) => ('name' in o ? o.name : ''))).toEqual(['a', 'c']);
  });
});
