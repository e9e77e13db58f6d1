import type { OpRef, TaskKind } from './events.js';
import { utf8Length } from './json.js';
import type { BatchOp } from './wire.js';

/**
 * One queued op. Everything needed to send it is captured at enqueue time (snapshot semantics). The
 * op is kept as the JSON text it is sent as; it is parsed only when something must look inside it
 * (compaction, tests), so a cold start over a long queue reads metadata, not every op.
 */
export class Task {
  /** The op as sent, parsed on first use. */
  private parsed: BatchOp | undefined;
  private text: string | undefined;

  constructor(
    /** Queue id; for events this is also the wire `id` (ULID). */
    readonly id: string,
    readonly kind: TaskKind,
    /** The op's `action`, known without parsing it. */
    readonly action: BatchOp['action'],
    /** Enqueue time, ms, for expiry. */
    readonly at: number,
    /** Serialized size of the op in bytes. */
    public bytes: number,
    /** End the batch after this op, so what follows is sent only once it is acknowledged. */
    public barrier: boolean,
    op: BatchOp | { json: string },
  ) {
    if ('json' in op) this.text = op.json;
    else this.parsed = op;
  }

  get op(): BatchOp {
    return (this.parsed ??= JSON.parse(this.text!) as BatchOp);
  }

  /** The op's JSON, exactly as it goes into a batch. */
  get json(): string {
    return (this.text ??= JSON.stringify(this.parsed));
  }

  /** Replaces the op (identify compaction), keeping its size current. */
  replaceOp(op: BatchOp): void {
    this.parsed = op;
    this.text = JSON.stringify(op);
    this.bytes = utf8Length(this.text);
  }

  /**
   * The stored line: tab-separated metadata, then the op's JSON. JSON text never holds a raw tab or
   * newline (JSON.stringify escapes control characters), so one op is one line.
   */
  line(): string {
    return `${this.id}\t${this.kind}\t${this.action}\t${this.at}\t${this.bytes}\t${this.barrier ? 1 : 0}\t${this.json}`;
  }

  /** Reads a stored line; undefined when it is not one. */
  static fromLine(line: string): Task | undefined {
    const f: string[] = [];
    let from = 0;
    for (let i = 0; i < 6; i++) {
      const tab = line.indexOf('\t', from);
      if (tab < 0) return undefined;
      f.push(line.slice(from, tab));
      from = tab + 1;
    }
    const [id, kind, action, at, bytes, barrier] = f as [string, string, string, string, string, string];
    if (!id || !KINDS.has(kind) || !Number.isFinite(Number(at)) || !Number.isFinite(Number(bytes)))
      return undefined;
    if (line.charCodeAt(from) !== 123 /* { */) return undefined;
    return new Task(
      id,
      kind as TaskKind,
      action as BatchOp['action'],
      Number(at),
      Number(bytes),
      barrier === '1',
      {
        json: line.slice(from),
      },
    );
  }
}

const KINDS = new Set<string>(['event', 'identify', 'device', 'metric']);

/** Wraps an op with its queue metadata; `bytes` is its exact serialized size. */
export function makeTask(id: string, kind: TaskKind, op: BatchOp, atMs: number, barrier = false): Task {
  const json = JSON.stringify(op);
  const task = new Task(id, kind, op.action, atMs, utf8Length(json), barrier, { json });
  return task;
}

export function refOf(task: Task): OpRef {
  return { id: task.id, kind: task.kind, action: task.action };
}

/** Same person and same token: the later add_device supersedes the earlier one. */
export function sameDevice(a: Task, b: Task): boolean {
  if (a.action !== 'add_device' || b.action !== 'add_device') return false;
  const x = a.op;
  const y = b.op;
  return (
    x.type === 'person' &&
    y.type === 'person' &&
    x.action === 'add_device' &&
    y.action === 'add_device' &&
    x.device.token === y.device.token &&
    JSON.stringify(x.identifiers) === JSON.stringify(y.identifiers)
  );
}
