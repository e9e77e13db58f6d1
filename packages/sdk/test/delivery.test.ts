import { describe, expect, it } from 'vitest';
import { createTestRoster } from '../src/testing/index.js';

const names = (ops: Array<{ action: string; name?: string }>) => ops.map((o) => o.name ?? o.action);

describe('delivery and the retry policy', () => {
  it('drops a batch answered 400 with a dropped event', async () => {
    const { roster, transport, events } = createTestRoster();
    transport.fallback = {
      status: 400,
      body: { errors: [{ reason: 'invalid', field: 'name', message: 'bad' }] },
    };
    await roster.track('a');
    const result = await roster.flush();
    expect(result).toEqual({ sent: 0, left: 0, dropped: 1, pausedUntil: null });
    const dropped = events.find((e) => e.name === 'dropped');
    expect(dropped?.payload).toMatchObject({
      reason: 'rejected',
      status: 400,
      ops: [{ kind: 'event', action: 'event' }],
    });
  });

  it('isolates the bad op of a multi-op batch answered 400 instead of dropping its neighbours', async () => {
    const { roster, transport } = createTestRoster();
    transport.fallback = (req) =>
      req.ops.some((o) => 'name' in o && o.name === 'bad') ? { status: 400 } : { status: 200 };
    for (const n of ['a', 'bad', 'c', 'd']) await roster.track(n);
    const result = await roster.flush();
    expect(result).toMatchObject({ sent: 3, dropped: 1, left: 0 });
    expect(names(transport.delivered as never)).toEqual(['a', 'c', 'd']);
  });

  it('pauses on 401 and says so; getState shows paused-until; resumes after the pause', async () => {
    const { roster, transport, events, clock } = createTestRoster();
    transport.reply({ status: 401, body: { meta: { error: 'Unauthorized request' } } });
    await roster.track('a');
    const result = await roster.flush();
    const until = clock.now() + 5 * 60_000;
    expect(result).toEqual({ sent: 0, left: 1, dropped: 0, pausedUntil: until });
    expect(events.find((e) => e.name === 'paused')?.payload).toEqual({ until, status: 401 });
    expect((await roster.getState()).pausedUntil).toBe(until);
    await roster.flush(); // an explicit flush does not hammer a server that refused the credentials
    expect(transport.requests).toHaveLength(1);
    await clock.advance(5 * 60_000);
    expect(names(transport.delivered as never)).toEqual(['a']);
    expect((await roster.getState()).pausedUntil).toBeNull();
  });

  it('waits for Retry-After on 429 (seconds and HTTP date)', async () => {
    const { roster, transport, clock } = createTestRoster();
    transport.reply({ status: 429, headers: { 'Retry-After': '20' } });
    transport.reply({
      status: 429,
      headers: { 'Retry-After': new Date(clock.now() + 20_000 + 40_000).toUTCString() },
    });
    await roster.track('a');
    await roster.flush();
    expect((await roster.getState()).retryAt).toBe(clock.now() + 20_000);
    await roster.flush(); // the server asked us to wait: even an explicit flush waits
    expect(transport.requests).toHaveLength(1);
    await clock.advance(19_999);
    expect(transport.requests).toHaveLength(1);
    await clock.advance(1);
    expect(transport.requests).toHaveLength(2);
    await clock.advance(39_999);
    expect(transport.delivered).toHaveLength(0);
    await clock.advance(1);
    expect(names(transport.delivered as never)).toEqual(['a']);
  });

  it('backs off exponentially on 5xx and network errors, persisting the attempt count', async () => {
    const { roster, transport, clock, storage } = createTestRoster();
    transport.reply({ status: 503 }, { error: new Error('ECONNRESET') }, { status: 500 });
    await roster.track('a');
    await roster.flush();
    // random() = 0.5 in tests: delays are half of 1 s, 2 s, 4 s.
    const times: number[] = [];
    for (const expected of [500, 1000, 2000]) {
      const stored = storage.read('roster:site')!;
      expect(stored.delivery.retryAt! - clock.now()).toBe(expected);
      times.push(stored.delivery.attempts);
      await clock.advance(expected);
    }
    expect(times).toEqual([1, 2, 3]);
    expect(names(transport.delivered as never)).toEqual(['a']);
    expect(transport.requests).toHaveLength(4);
  });

  it('halves the batch on 413', async () => {
    const { roster, transport } = createTestRoster({ flushAt: 100 });
    transport.fallback = (req) => (req.ops.length > 2 ? { status: 413 } : { status: 200 });
    for (const n of ['a', 'b', 'c', 'd', 'e']) await roster.track(n);
    const result = await roster.flush();
    expect(result).toMatchObject({ sent: 5, dropped: 0, left: 0 });
    expect(transport.requests.map((r) => r.ops.length)).toEqual([5, 3, 2, 3, 2, 1]);
    expect(names(transport.delivered as never)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('on 207 drops only the listed items and acknowledges the rest', async () => {
    const { roster, transport, events } = createTestRoster();
    transport.reply({
      status: 207,
      body: { errors: [{ batch_index: 1, reason: 'required', field: 'name', message: 'Name is required' }] },
    });
    for (const n of ['a', 'b', 'c']) await roster.track(n);
    const result = await roster.flush();
    expect(result).toEqual({ sent: 2, left: 0, dropped: 1, pausedUntil: null });
    const dropped = events.filter((e) => e.name === 'dropped');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]?.payload).toMatchObject({
      reason: 'partial',
      status: 207,
      message: 'required: name: Name is required',
    });
    const sentNames = transport.requests[0]!.ops.filter((_, i) => i !== 1).map((o) =>
      'name' in o ? o.name : '',
    );
    expect(sentNames).toEqual(['a', 'c']);
  });

  it('flush never rejects when the transport throws, and reports what is left', async () => {
    const { roster, transport } = createTestRoster();
    transport.fallback = { error: new TypeError('fetch failed') };
    await roster.identify('u1');
    await roster.track('a');
    await expect(roster.flush()).resolves.toEqual({ sent: 0, left: 2, dropped: 0, pausedUntil: null });
  });

  it('flushes by itself at flushAt ops and after flushInterval', async () => {
    const { roster, transport, clock } = createTestRoster({ flushAt: 3, flushInterval: 30_000 });
    await roster.track('a');
    await roster.track('b');
    await clock.advance(0);
    expect(transport.requests).toHaveLength(0);
    await roster.track('c');
    await clock.advance(0);
    expect(transport.requests.map((r) => r.ops.length)).toEqual([3]);
    await roster.track('d');
    await clock.advance(29_999);
    expect(transport.requests).toHaveLength(1);
    await clock.advance(1);
    expect(names(transport.delivered as never)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('expires ops older than queueExpirySeconds with a dropped event', async () => {
    const { roster, transport, clock, events } = createTestRoster({ queueExpirySeconds: 60 });
    transport.fallback = { error: new Error('offline') };
    await roster.track('old');
    await roster.flush();
    await clock.advance(61_000);
    transport.fallback = { status: 200 };
    await roster.track('new');
    await roster.flush();
    expect(names(transport.delivered as never)).toEqual(['new']);
    expect(events.find((e) => e.name === 'dropped')?.payload).toMatchObject({ reason: 'expired' });
  });
});
