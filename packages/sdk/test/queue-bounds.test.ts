import { describe, expect, it } from 'vitest';
import { enqueueBounded } from '../src/core/queue-bounds.js';
import { eventOp, identifyOp, addDeviceOp, deleteDeviceOp } from '../src/core/ops.js';
import { makeTask } from '../src/core/task.js';
import type { Task } from '../src/core/state.js';
import { createTestRoster } from '../src/testing/index.js';

const ev = (id: string) => makeTask(id, 'event', eventOp({ id: 'u1' }, 'event', id, id, {}, 0), 0);
const ident = (id: string, attrs: Record<string, string>) =>
  makeTask(id, 'identify', identifyOp({ id: 'u1' }, attrs, 0), 0);
const add = (id: string) => makeTask(id, 'device', addDeviceOp({ id: 'u1' }, 'tok', 'ios', {}, 0), 0);
const del = (id: string) => makeTask(id, 'device', deleteDeviceOp({ id: 'u1' }, 'tok', 0), 0, true);
const ids = (q: Task[]) => q.map((t) => t.id);

describe('queue bounds and eviction order', () => {
  it('evicts the oldest plain events first, never identify or device ops', () => {
    const queue = [ident('i1', { a: '1' }), ev('e1'), add('d1'), ev('e2')];
    const r = enqueueBounded(queue, ev('e3'), { maxCount: 4, maxBytes: Infinity });
    expect(r).toMatchObject({ accepted: true });
    expect(ids(r.evicted)).toEqual(['e1']);
    expect(ids(queue)).toEqual(['i1', 'd1', 'e2', 'e3']);
  });

  it('supersedes an unsent add_device for the same person and token', () => {
    const queue = [add('d1'), ev('e1')];
    const r = enqueueBounded(queue, add('d2'), { maxCount: 10, maxBytes: Infinity });
    expect(ids(r.superseded)).toEqual(['d1']);
    expect(ids(queue)).toEqual(['e1', 'd2']);
  });

  it('then merges identify ops for the same person, but not across a device op', () => {
    const queue = [ident('i1', { a: '1' }), ident('i2', { b: '2' }), del('x1'), ident('i3', { c: '3' })];
    const r = enqueueBounded(queue, ident('i4', { a: '9' }), { maxCount: 4, maxBytes: Infinity });
    expect(r.accepted).toBe(true);
    expect(ids(r.evicted)).toEqual(['i1']);
    expect(queue.map((t) => (t.op.action === 'identify' ? t.op.attributes : t.op.action))).toEqual([
      { a: '1', b: '2' },
      'delete_device',
      { c: '3' },
      { a: '9' },
    ]);
  });

  it('refuses the new op when only ops that others depend on remain', () => {
    const queue = [ident('i1', { a: '1' }), del('x1'), add('d1')];
    const r = enqueueBounded(queue, ev('e1'), { maxCount: 3, maxBytes: Infinity });
    expect(r.accepted).toBe(false);
    expect(ids(queue)).toEqual(['i1', 'x1', 'd1']);
  });

  it('bounds by bytes too', () => {
    const queue = [ev('e1'), ev('e2')];
    const r = enqueueBounded(queue, ev('e3'), { maxCount: 100, maxBytes: ev('e9').bytes * 2 });
    expect(ids(r.evicted)).toEqual(['e1']);
  });

  it('reports evictions from the client as dropped events and refuses ops over 32 KB', async () => {
    const { roster, events } = createTestRoster({ maxQueueSize: 2, flushAt: 100 });
    await roster.identify('u1');
    await roster.track('a');
    await roster.track('b');
    await roster.track('huge', { blob: 'x'.repeat(40_000) });
    expect(events.filter((e) => e.name === 'dropped').map((e) => e.payload)).toMatchObject([
      { reason: 'evicted', ops: [{ kind: 'event' }] },
      { reason: 'too_large' },
    ]);
    expect((await roster.getState()).queueLength).toBe(2);
  });
});
