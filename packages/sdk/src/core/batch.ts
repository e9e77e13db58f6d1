import type { Task } from './state.js';

/** `{"batch":[` + `]}`; each op after the first adds a comma. */
const ENVELOPE_BYTES = 12;

export interface BatchLimits {
  maxItems: number;
  maxBytes: number;
}

/**
 * Takes the next batch from the head of the queue, in queue order: as many ops as fit the item and
 * byte limits, ending early after a barrier op (a delete_device or person-switch identify) so the
 * ops that depend on it are sent only after it is acknowledged. Always takes at least one op
 * (single ops are ≤ 32 KB, below every batch limit).
 * @example
 * cutBatch(queue, { maxItems: 100, maxBytes: 500 * 1024 });
 */
export function cutBatch(queue: readonly Task[], limits: BatchLimits): Task[] {
  const batch: Task[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const task of queue) {
    const next = bytes + task.bytes + (batch.length > 0 ? 1 : 0);
    if (batch.length > 0 && (batch.length >= limits.maxItems || next > limits.maxBytes)) break;
    batch.push(task);
    bytes = next;
    if (task.barrier) break;
  }
  return batch;
}

/** Serialises a batch exactly as sent (`{"batch":[ops]}`). */
export function batchBody(batch: readonly Task[]): string {
  return `{"batch":[${batch.map((t) => t.json).join(',')}]}`;
}
