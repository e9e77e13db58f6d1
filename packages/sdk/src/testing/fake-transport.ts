import type { Transport, TransportRequest, TransportResponse } from '../core/platform.js';
import type { BatchOp } from '../core/wire.js';

/** A request as the fake server saw it, body decoded. */
export interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  keepalive: boolean;
  body: unknown;
  /** `body.batch` for /api/v2/batch requests. */
  ops: BatchOp[];
}

/** A scripted answer: a status (with optional body/headers), a thrown network error, or a function. */
export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { error: Error }
  | ((req: RecordedRequest) => { status: number; body?: unknown; headers?: Record<string, string> });

/**
 * A fake Track API: records decoded requests and answers from a script (default 200 `{}`).
 * `delivered` lists the ops of requests that were acknowledged, which is what a server stored.
 * @example
 * const transport = new FakeTransport();
 * transport.reply({ status: 503 }, { status: 200 });
 * createRoster({ ...config, transport: transport.fetch });
 */
export class FakeTransport {
  readonly requests: RecordedRequest[] = [];
  /** Ops from requests answered 2xx (minus 207-listed items). */
  readonly delivered: BatchOp[] = [];
  private script: Reply[] = [];
  /** Used when the script is empty. */
  fallback: Reply = { status: 200, body: {} };

  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** All ops sent, in order, including retries. */
  get ops(): BatchOp[] {
    return this.requests.flatMap((r) => r.ops);
  }

  readonly fetch: Transport = async (url: string, init: TransportRequest): Promise<TransportResponse> => {
    const body: unknown = JSON.parse(init.body);
    const ops = (body as { batch?: BatchOp[] }).batch ?? [];
    const req: RecordedRequest = {
      url,
      headers: init.headers,
      keepalive: init.keepalive ?? false,
      body,
      ops,
    };
    this.requests.push(req);
    const next = this.script.shift() ?? this.fallback;
    if (typeof next !== 'function' && 'error' in next) throw next.error;
    const res = typeof next === 'function' ? next(req) : next;
    if (res.status >= 200 && res.status < 300) {
      const failed = new Set(
        ((res.body as { errors?: Array<{ batch_index: number }> } | undefined)?.errors ?? []).map(
          (e) => e.batch_index,
        ),
      );
      this.delivered.push(...ops.filter((_, i) => !failed.has(i)));
    }
    const headers = new Map(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const text = res.body === undefined ? '' : JSON.stringify(res.body);
    return {
      status: res.status,
      headers: { get: (n) => headers.get(n.toLowerCase()) ?? null },
      text: async () => text,
    };
  };
}
