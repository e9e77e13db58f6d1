import type { OpRef, TaskKind } from './events.js';
import { utf8Length } from './json.js';
import type { Task } from './state.js';
import type { BatchOp } from './wire.js';

/** Wraps an op with its queue metadata; `bytes` is its exact serialized size. */
export function makeTask(id: string, kind: TaskKind, op: BatchOp, atMs: number, barrier = false): Task {
  const task: Task = { id, kind, at: atMs, bytes: utf8Length(JSON.stringify(op)), op };
  if (barrier) task.barrier = true;
  return task;
}

export function refOf(task: Task): OpRef {
  return { id: task.id, kind: task.kind, action: task.op.action };
}

/** Same person and same token: the later add_device supersedes the earlier one. */
export function sameDevice(a: BatchOp, b: BatchOp): boolean {
  return (
    a.type === 'person' &&
    b.type === 'person' &&
    a.action === 'add_device' &&
    b.action === 'add_device' &&
    a.device.token === b.device.token &&
    JSON.stringify(a.identifiers) === JSON.stringify(b.identifiers)
  );
}
