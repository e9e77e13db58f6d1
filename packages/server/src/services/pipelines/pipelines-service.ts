import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { ForbiddenError, InvalidInputError, TooLargeError } from '../../lib/errors.js';
import type { MetricsRegistry } from '../../lib/metrics.js';
import { PollingLoop } from '../../lib/polling-loop.js';
import { recordIngestErrors, listIngestErrors, type IngestErrorRow } from '../../store/pipelines/errors.js';
import { claimMessageId, pruneMessageIds } from '../../store/pipelines/messages.js';
import type { Store } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { TrackWrite } from '../track/context.js';
import type { TrackService } from '../track/track-service.js';
import { eventTime } from './event-time.js';
import { checkPipelinesSignature } from './identity-signature.js';
import {
  CALL_TYPES,
  type CallType,
  type DroppedEvent,
  type KeyKind,
  type PipelinesEvent,
} from './pipelines-event.js';
import { translate } from './translate.js';

/** Customer.io's per-call limit (docs/pipelines.md "Responses and errors"): a larger event is dropped alone. */
export const MAX_EVENT_BYTES = 32 * 1024;
/** Segment's per-batch bound (docs/pipelines.md "Routes"); clients send 15-20. */
export const MAX_BATCH_EVENTS = 2500;
/** Repeated `messageId`s are stored once within this window (Segment: ~24 h; we keep 48 h). */
export const DEDUPE_WINDOW_S = 48 * 3600;
/** Dropped events kept per workspace for the ingest-errors view. */
export const KEPT_ERRORS = 1000;
/** How much of a dropped event the errors view keeps. */
const KEPT_EVENT_CHARS = 4096;
/** A messageId longer than this is no dedupe key (Segment asks for < 100 characters). */
const MAX_MESSAGE_ID = 200;

export interface IngestRequest {
  workspace: Workspace;
  keyKind: KeyKind;
  /** Activity source: `pipelines` or `pipelines:<user agent>`. */
  source: string;
  /** The parsed body. */
  body: unknown;
  /** The call type of a single-event route; undefined for `/v1/batch` and `/v1/b`. */
  pathType: CallType | undefined;
  /** `X-Strict-Mode: 1`: any invalid event refuses the whole request, nothing written. */
  strict: boolean;
  /** Decompressed body size: events of a body within 32 KB need no measuring. */
  bodyBytes: number;
}

export interface IngestResult {
  applied: number;
  dropped: DroppedEvent[];
  /** Accepted but not applied (anonymous traits, objects…), recorded for the operator. */
  noted: DroppedEvent[];
  duplicates: number;
}

/** A strict-mode request refused whole: the 400's `meta.errors`. */
export class StrictRefusal extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
    this.name = 'StrictRefusal';
  }
}

/** Too many batches in flight in this process: answer 429 with Retry-After. */
export class Overloaded extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The string an event names its person by: `userId`, or an identify's `traits.email`. */
function identifierOf(event: PipelinesEvent): string | undefined {
  const userId = event.raw.userId;
  if (typeof userId === 'string' && userId !== '') return userId;
  if (typeof userId === 'number') return String(userId);
  const traits = event.raw.traits;
  if (
    event.type === 'identify' &&
    isObject(traits) &&
    typeof traits.email === 'string' &&
    traits.email !== ''
  )
    return traits.email;
  return undefined;
}

/** Event values win; the envelope's `context` fills gaps, one level deep (docs/pipelines.md "Routes"). */
function withEnvelopeContext(raw: Record<string, unknown>, envelope: unknown): Record<string, unknown> {
  if (!isObject(envelope)) return raw;
  const own = isObject(raw.context) ? raw.context : {};
  const context: Record<string, unknown> = { ...envelope };
  for (const [k, v] of Object.entries(own))
    context[k] = isObject(v) && isObject(context[k]) ? { ...context[k], ...v } : v;
  return { ...raw, context };
}

function describe(index: number, raw: unknown, type: string | null, err: InvalidInputError): DroppedEvent {
  const r = isObject(raw) ? raw : {};
  return {
    index,
    type,
    messageId: typeof r.messageId === 'string' ? r.messageId.slice(0, MAX_MESSAGE_ID) : null,
    reason: err.reason,
    message: err.message,
    raw,
  };
}

/**
 * The Data Pipelines ingest (docs/pipelines.md): Segment-spec calls from Customer.io's, Segment's and
 * RudderStack's clients, translated onto the Track API's writes and run through the same
 * `TrackService` batch — one transaction per request, the write pipeline (segments, campaigns)
 * after each item, 200 only after commit.
 */
export class PipelinesService {
  private inFlight = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly track: TrackService,
    private readonly metrics: MetricsRegistry,
    /** Batches processed at once by this process before 429 (ROSTER_PIPELINES_MAX_CONCURRENT). */
    private readonly maxConcurrent = 64,
  ) {}

  async ingest(req: IngestRequest): Promise<IngestResult> {
    if (this.inFlight >= this.maxConcurrent) throw new Overloaded('too many Pipelines requests in flight');
    this.inFlight++;
    try {
      return await this.run(req);
    } finally {
      this.inFlight--;
    }
  }

  private async run(req: IngestRequest): Promise<IngestResult> {
    const now = this.clock.now() / 1000;
    const received = Math.floor(now);
    const { items, envelope } = this.items(req);
    const dropped: DroppedEvent[] = [];
    const noted: DroppedEvent[] = [];
    const writes: TrackWrite[] = [];
    /** Item index of each write. */
    const origin: number[] = [];
    /** Writes whose messageId was seen before (a Set: a batch rerun item by item claims again). */
    const duplicate = new Set<number>();
    const measure = req.bodyBytes > MAX_EVENT_BYTES;
    for (const [index, raw] of items.entries()) {
      const type = req.pathType ?? (isObject(raw) && typeof raw.type === 'string' ? raw.type : null);
      try {
        const event = this.parseEvent(req, raw, type, index, envelope, now, measure);
        this.checkSignature(req, event, received);
        const t = translate(req.workspace, event);
        if ('skip' in t) {
          noted.push(describe(index, raw, type, new InvalidInputError('', t.skip, t.reason)));
          continue;
        }
        const w = writes.length;
        origin.push(index);
        writes.push(
          event.messageId === undefined
            ? t.write
            : claimingMessageId(t.write, req.workspace.id, event.messageId, received, (dup) => {
                if (dup) duplicate.add(w);
                else duplicate.delete(w);
              }),
        );
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        dropped.push(describe(index, raw, type, err));
      }
    }
    if (req.strict && dropped.length > 0) {
      this.metrics.inc('roster_pipelines_requests_refused_total', { reason: 'strict' });
      throw new StrictRefusal(dropped.map((d) => `event ${d.index}: ${d.message}`));
    }
    let failed: DroppedEvent[] = [];
    await this.track.executeBatch(req.workspace, req.source, writes, {
      finish: async (trx, found) => {
        failed = [...found].map(([w, err]) => describe(origin[w]!, items[origin[w]!], null, err));
        if (req.strict && failed.length > 0)
          throw new StrictRefusal(failed.map((d) => `event ${d.index}: ${d.message}`));
        const all = [...dropped, ...failed, ...noted];
        if (all.length > 0) await recordIngestErrors(trx, errorRows(req, received, all), KEPT_ERRORS);
      },
    });
    const result = {
      applied: writes.length - failed.length - duplicate.size,
      dropped: [...dropped, ...failed].sort((a, b) => a.index - b.index),
      noted,
      duplicates: duplicate.size,
    };
    this.count(result);
    return result;
  }

  /** One item of a request as an event, or an InvalidInputError naming what is wrong with it. */
  private parseEvent(
    req: IngestRequest,
    raw: unknown,
    type: string | null,
    index: number,
    envelope: { context?: unknown; sentAt?: unknown },
    now: number,
    measure: boolean,
  ): PipelinesEvent {
    if (!isObject(raw)) throw new InvalidInputError('batch', 'an event must be a JSON object', 'invalid');
    if (!type || !CALL_TYPES.includes(type as CallType))
      throw new InvalidInputError('type', `type must be one of ${CALL_TYPES.join(', ')}`, 'invalid');
    if (measure && Buffer.byteLength(JSON.stringify(raw)) > MAX_EVENT_BYTES)
      throw new InvalidInputError('', 'event is larger than 32 KB', 'too_large');
    const messageId =
      typeof raw.messageId === 'string' && raw.messageId !== '' && raw.messageId.length <= MAX_MESSAGE_ID
        ? raw.messageId
        : undefined;
    return {
      type: type as CallType,
      raw: withEnvelopeContext(raw, envelope.context),
      index,
      messageId,
      at: Math.max(0, eventTime(raw, envelope.sentAt, now)),
    };
  }

  /** The events of a request and the envelope fields that apply to all of them. */
  private items(req: IngestRequest): { items: unknown[]; envelope: { context?: unknown; sentAt?: unknown } } {
    const body = req.body;
    if (!isObject(body)) throw new InvalidInputError('body', 'request body must be a JSON object', 'invalid');
    if (req.pathType) return { items: [body], envelope: {} };
    if (!Array.isArray(body.batch))
      throw new InvalidInputError('batch', 'batch must be an array of events', 'required');
    if (body.batch.length > MAX_BATCH_EVENTS)
      throw new TooLargeError('batch', `a batch holds at most ${MAX_BATCH_EVENTS} events`);
    return { items: body.batch, envelope: { context: body.context, sentAt: body.sentAt } };
  }

  /** Signed identify (docs/security.md): an event naming a person may need its signature. */
  private checkSignature(req: IngestRequest, event: PipelinesEvent, now: number): void {
    // A delivery metric names a delivery, not a person: nothing to sign.
    if (event.type === 'track' && event.raw.event === 'Report Delivery Event') return;
    const identifier = identifierOf(event);
    const context = isObject(event.raw.context) ? event.raw.context : {};
    const outcome = checkPipelinesSignature(
      req.workspace,
      req.keyKind,
      identifier,
      context.identity_signature,
      now,
      this.metrics,
    );
    if (!outcome.ok) throw new ForbiddenError('context.identity_signature', outcome.message);
  }

  private count(r: IngestResult): void {
    if (r.applied > 0) this.metrics.inc('roster_pipelines_events_total', { outcome: 'applied' }, r.applied);
    if (r.duplicates > 0)
      this.metrics.inc('roster_pipelines_events_total', { outcome: 'duplicate' }, r.duplicates);
    if (r.noted.length > 0)
      this.metrics.inc('roster_pipelines_events_total', { outcome: 'noted' }, r.noted.length);
    if (r.dropped.length > 0)
      this.metrics.inc('roster_pipelines_events_total', { outcome: 'dropped' }, r.dropped.length);
  }

  /** A page of the workspace's ingest errors, newest first (`GET /v1/pipelines/errors`). */
  async errors(workspace: Workspace, limit: number, before?: string): Promise<IngestErrorRow[]> {
    return listIngestErrors(this.store.db, workspace.id, limit, before);
  }

  /** Forgets messageIds older than the dedupe window, in bounded deletes; `roster serve` starts it. */
  startPruning(intervalMs: number, onError: (err: unknown) => void): PollingLoop {
    const loop = new PollingLoop(
      async () => {
        const before = unixSeconds(this.clock) - DEDUPE_WINDOW_S;
        const deleted = await this.store.transaction((trx) => pruneMessageIds(trx, before, PRUNE_BATCH));
        return deleted >= PRUNE_BATCH;
      },
      intervalMs,
      onError,
    );
    loop.start();
    return loop;
  }
}

/** Rows one prune transaction deletes: a few milliseconds of write lock on SQLite. */
const PRUNE_BATCH = 5000;

/**
 * A write that first claims its messageId in the same transaction: a messageId seen before makes
 * it a duplicate that writes nothing (`onClaim(true)`). A batch rerun item by item claims again.
 */
function claimingMessageId(
  write: TrackWrite,
  workspaceId: number,
  messageId: string,
  received: number,
  onClaim: (duplicate: boolean) => void,
): TrackWrite {
  return {
    lockKeys: write.lockKeys,
    run: async (trx, ctx, fx) => {
      if (!(await claimMessageId(trx, workspaceId, messageId, received))) {
        onClaim(true);
        return;
      }
      onClaim(false);
      await write.run(trx, ctx, fx);
    },
  };
}

/** Dropped, failed and noted events as the rows `GET /v1/pipelines/errors` lists. */
function errorRows(req: IngestRequest, received: number, all: readonly DroppedEvent[]) {
  return all.map((d) => ({
    workspaceId: req.workspace.id,
    receivedAt: received,
    type: d.type,
    messageId: d.messageId,
    reason: d.reason,
    message: d.message,
    event: (JSON.stringify(d.raw) ?? 'null').slice(0, KEPT_EVENT_CHARS),
    source: req.source,
  }));
}
