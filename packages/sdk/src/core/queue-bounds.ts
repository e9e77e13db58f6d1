import type { Task } from './state.js';
import { sameDevice } from './task.js';

export interface Bounds {
  maxCount: number;
  maxBytes: number;
}

export interface EnqueueOutcome {
  /** False when the new task could not be queued (`queue_full`). */
  accepted: boolean;
  /** Removed to make room, oldest first (`evicted`). */
  evicted: Task[];
  /** Superseded by the new task (an older add_device for the same person and token): not reported as dropped. */
  superseded: Task[];
}

/**
 * Appends `task` and restores the bounds, mutating `queue`. Eviction order (README "Queue bounds"):
 * 0. always: an unsent add_device for the same person+token is superseded by the new one;
 * 1. oldest plain events and push metrics first (nothing later depends on them);
 * 2. then identify ops for the same person are merged into the later one (attributes merge
 *    server-side anyway), only where no device op sits between them, so switch order holds;
 * 3. never identify/device ops otherwise: if still over bounds, the new task is refused.
 */
export function enqueueBounded(queue: Task[], task: Task, bounds: Bounds): EnqueueOutcome {
  const superseded = task.action === 'add_device' ? removeWhere(queue, (t) => sameDevice(t, task)) : [];
  queue.push(task);
  const evicted: Task[] = [];
  let bytes = queue.reduce((n, t) => n + t.bytes, 0);
  const over = () => queue.length > bounds.maxCount || bytes > bounds.maxBytes;

  for (let i = 0; over() && i < queue.length;) {
    const t = queue[i]!;
    if (t !== task && (t.kind === 'event' || t.kind === 'metric')) {
      queue.splice(i, 1);
      bytes -= t.bytes;
      evicted.push(t);
    } else i++;
  }
  for (let i = 0; over() && i < queue.length; i++) {
    const merged = mergeIdentifyAt(queue, i);
    if (merged) {
      bytes = queue.reduce((n, t) => n + t.bytes, 0);
      evicted.push(merged);
      i--;
    }
  }
  if (over()) {
    queue.splice(queue.indexOf(task), 1);
    return { accepted: false, evicted, superseded };
  }
  return { accepted: true, evicted, superseded };
}

/** Folds the identify at `i` into the next identify for the same person; returns the removed task. */
function mergeIdentifyAt(queue: Task[], i: number): Task | undefined {
  const first = queue[i]!;
  if (first.action !== 'identify' || first.op.action !== 'identify') return undefined;
  const firstOp = first.op;
  const who = JSON.stringify(firstOp.identifiers);
  for (let j = i + 1; j < queue.length; j++) {
    const later = queue[j]!;
    if (later.kind === 'device') return undefined;
    const laterOp = later.action === 'identify' ? later.op : undefined;
    if (laterOp?.action === 'identify' && JSON.stringify(laterOp.identifiers) === who) {
      later.replaceOp({ ...laterOp, attributes: { ...firstOp.attributes, ...laterOp.attributes } });
      if (first.barrier) later.barrier = true;
      queue.splice(i, 1);
      return first;
    }
  }
  return undefined;
}

function removeWhere(queue: Task[], pred: (t: Task) => boolean): Task[] {
  const removed: Task[] = [];
  for (let i = queue.length - 1; i >= 0; i--) {
    if (pred(queue[i]!)) removed.unshift(...queue.splice(i, 1));
  }
  return removed;
}
