import {
  WEBHOOK_EVENTS,
  type WebhookAttemptView,
  type WebhookCreateBody,
  type WebhookDeliveryView,
  type WebhookUpdateBody,
  type WebhookView,
} from '@roster/protocol';
import { unixSeconds, type Clock } from '../../lib/clock.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { Store } from '../../store/store.js';
import {
  holdSubscriptionDeliveries,
  listWebhookAttempts,
  listWebhookDeliveries,
  queueReplays,
  replayWebhookDeliveries,
  type DeliveryView,
} from '../../store/webhooks/deliveries.js';
import {
  deliveredCursorEvents,
  EVENT_ID_BASE,
  findCursorEvent,
  pendingCursorEvents,
  resetWebhookCursor,
  retryWebhookCursorNow,
  webhookHorizon,
} from '../../store/webhooks/cursors.js';
import { lockWebhookFanOut } from '../../store/webhooks/events.js';
import {
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listSubscriptions,
  rotateSubscriptionSecret,
  updateSubscription,
  type SubscriptionRow,
  type SubscriptionWrite,
} from '../../store/webhooks/subscriptions.js';
import { WebhookEmitter } from './webhook-emitter.js';
import { refuseWebhookUrl, WebhookHttp } from './webhook-http.js';
import { newWebhookSecret } from './webhook-signature.js';
import { WebhookWorker, type WebhookWorkerOptions } from './webhook-worker.js';

/** How webhooks behave in this process (`roster serve` reads them in cli/config.ts). */
export interface WebhookSettings {
  /** Deliveries may reach loopback and private addresses (ROSTER_WEBHOOK_ALLOW_PRIVATE=1). */
  allowPrivate: boolean;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** A run of this many failed attempts pauses a subscription (ROSTER_WEBHOOK_PAUSE_AFTER_FAILURES). */
  pauseAfterFailures: number;
  /** First retry delay (ROSTER_WEBHOOK_RETRY_BASE_SECONDS). */
  retryBaseMs: number;
  /** How long deliveries a crashed sender claimed wait before another takes them (ROSTER_WEBHOOK_LEASE_MS). */
  leaseMs?: number | undefined;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowPrivate: false,
  connectTimeoutMs: 5_000,
  timeoutMs: 15_000,
  pauseAfterFailures: 100,
  retryBaseMs: 10_000,
};

const KINDS = new Set<string>(WEBHOOK_EVENTS);
const MAX_SUBSCRIPTIONS = 50;
const DEFAULT_OVERLAP_S = 86_400;
const REPLAY_MAX = 1_000;
/** Events per request at most (a subscription's `batch`). */
export const MAX_BATCH = 100;

/**
 * Webhook subscriptions (docs/webhooks.md): their rules, the emitter that writes deliveries inside
 * every write, and this process's delivery worker.
 */
export class WebhookService {
  readonly emitter: WebhookEmitter;
  private worker: WebhookWorker | undefined;
  private http: WebhookHttp | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: WebhookSettings = DEFAULT_WEBHOOK_SETTINGS,
  ) {
    this.emitter = new WebhookEmitter(store, clock, () => this.worker?.nudge());
  }

  /** Starts this process's delivery worker. */
  start(log?: WebhookWorkerOptions['log'], options: Partial<WebhookWorkerOptions> = {}): void {
    if (this.worker) return;
    this.http = new WebhookHttp(this.settings);
    this.worker = new WebhookWorker({
      store: this.store,
      clock: this.clock,
      http: this.http,
      pauseAfterFailures: this.settings.pauseAfterFailures,
      retryBaseMs: this.settings.retryBaseMs,
      ...(this.settings.leaseMs ? { leaseMs: this.settings.leaseMs } : {}),
      ...(log ? { log } : {}),
      ...options,
    });
    this.worker.start();
  }

  /** Something was queued outside a Track write (a campaign webhook action): send it now. */
  nudge(): void {
    this.worker?.nudgeQueue();
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    this.http?.close();
    this.worker = undefined;
    this.http = undefined;
  }

  async list(workspaceId: number): Promise<WebhookView[]> {
    return (await listSubscriptions(this.store.db, workspaceId)).map((s) => view(s));
  }

  async get(workspaceId: number, rawId: string): Promise<WebhookView> {
    return view(await this.find(workspaceId, rawId));
  }

  /** The answer carries the secret: the only time it is shown (besides a rotation). */
  async create(workspaceId: number, body: WebhookCreateBody): Promise<WebhookView> {
    const write = this.checked({
      url: body.url,
      description: body.description ?? '',
      events: body.events,
      eventNames: body.event_names ?? null,
      segmentIds: body.segment_ids ?? null,
      enabled: body.enabled ?? true,
      batch: body.batch ?? 1,
    });
    const secret = newWebhookSecret();
    const row = await this.store.transaction(async (trx) => {
      if ((await listSubscriptions(trx, workspaceId)).length >= MAX_SUBSCRIPTIONS)
        throw new ConflictError('url', `a workspace has at most ${MAX_SUBSCRIPTIONS} webhook subscriptions`);
      // It gets the changes made from now on: its cursor starts after every event so far.
      const from = await webhookHorizon(trx, this.store.dialect, workspaceId);
      return insertSubscription(trx, workspaceId, write, secret, unixSeconds(this.clock), from);
    });
    this.emitter.invalidate();
    return view(row, secret);
  }

  async update(workspaceId: number, rawId: string, body: WebhookUpdateBody): Promise<WebhookView> {
    const id = parseId(rawId);
    const row = await this.store.transaction(async (trx) => {
      const current = await findSubscription(trx, workspaceId, id);
      if (!current) throw new NotFoundError('no webhook subscription with this id');
      const write = this.checked({
        url: body.url ?? current.url,
        description: body.description ?? current.description,
        events: body.events ?? current.events,
        eventNames: body.event_names === undefined ? current.eventNames : body.event_names,
        segmentIds: body.segment_ids === undefined ? current.segmentIds : body.segment_ids,
        enabled: body.enabled ?? current.enabled,
        batch: body.batch ?? current.batch,
      });
      // A fan-out deciding whether new deliveries are held must not run across this change.
      await lockWebhookFanOut(trx, this.store.dialect, true);
      const row = await updateSubscription(
        trx,
        workspaceId,
        id,
        write,
        body.enabled === true,
        unixSeconds(this.clock),
      );
      // Off or paused: its deliveries wait out of the claim's way; on again: they go first.
      if (row) await holdSubscriptionDeliveries(trx, workspaceId, id, !row.enabled || row.pausedAt !== null);
      // Turned on after being off: it starts from the changes made from now on; resumed: at once.
      if (row && row.enabled && !current.enabled)
        await resetWebhookCursor(trx, this.store.dialect, workspaceId, id);
      else if (row && body.enabled === true) await retryWebhookCursorNow(trx, workspaceId, id);
      return row;
    });
    if (!row) throw new NotFoundError('no webhook subscription with this id');
    this.emitter.invalidate();
    this.worker?.forget(id);
    // Turned back on: what waited goes out now.
    this.worker?.nudgeQueue();
    return view(row);
  }

  async remove(workspaceId: number, rawId: string): Promise<void> {
    const id = parseId(rawId);
    const gone = await this.store.transaction((trx) => deleteSubscription(trx, workspaceId, id));
    if (!gone) throw new NotFoundError('no webhook subscription with this id');
    this.emitter.invalidate();
  }

  /** A new secret; the old one keeps signing (beside it) for `overlapSeconds`. */
  async rotateSecret(workspaceId: number, rawId: string, overlapSeconds?: number): Promise<WebhookView> {
    const id = parseId(rawId);
    const overlap = overlapSeconds ?? DEFAULT_OVERLAP_S;
    const secret = newWebhookSecret();
    const row = await this.store.transaction((trx) =>
      rotateSubscriptionSecret(
        trx,
        workspaceId,
        id,
        secret,
        this.clock.now() + overlap * 1000,
        unixSeconds(this.clock),
      ),
    );
    if (!row) throw new NotFoundError('no webhook subscription with this id');
    this.worker?.forget(id);
    return view(row, secret);
  }

  async deliveries(
    workspaceId: number,
    rawId: string,
    q: { limit?: string | undefined; start?: string | undefined; status?: string | undefined },
  ): Promise<{ deliveries: WebhookDeliveryView[]; next: string }> {
    const sub = await this.find(workspaceId, rawId);
    const limit = parseLimit(q.limit);
    const beforeId = parseCursor(q.start);
    const status = q.status || undefined;
    const db = this.store.db;
    // Events by cursor (ids from EVENT_ID_BASE: pending past the cursor, delivered from the
    // attempts), then queued rows (replays, failed events, rows from before migration 132).
    const rows: DeliveryView[] = [
      ...(status === undefined || status === 'pending'
        ? await pendingCursorEvents(db, sub, { limit, beforeId, nowMs: this.clock.now() })
        : []),
      ...(status === undefined || status === 'delivered'
        ? await deliveredCursorEvents(db, sub, { limit, beforeId })
        : []),
      ...(await listWebhookDeliveries(db, sub.id, { limit, beforeId, status })),
    ]
      .sort((a, b) => b.id - a.id)
      .slice(0, limit);
    return {
      deliveries: rows.map((d) => ({
        id: d.id,
        event_id: d.eventId,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.status === 'pending' ? Math.floor(d.runAtMs / 1000) : null,
        last_error: d.lastError,
        created_at: Math.floor(d.createdAtMs / 1000),
        finished_at: d.finishedAtMs === null ? null : Math.floor(d.finishedAtMs / 1000),
        payload: d.payload,
      })),
      next: rows.length === limit ? String(rows[rows.length - 1]!.id) : '',
    };
  }

  async attempts(
    workspaceId: number,
    rawId: string,
    q: { limit?: string | undefined; start?: string | undefined; delivery_id?: string | undefined },
  ): Promise<{ attempts: WebhookAttemptView[]; next: string }> {
    const sub = await this.find(workspaceId, rawId);
    const limit = parseLimit(q.limit);
    const rows = await listWebhookAttempts(this.store.db, sub.id, {
      limit,
      beforeId: parseCursor(q.start),
      deliveryId: q.delivery_id ? parseCursor(q.delivery_id, 'delivery_id') : undefined,
    });
    return {
      attempts: rows.map((a) => ({
        id: a.id,
        delivery_id: a.deliveryId,
        event_id: a.eventId,
        attempted_at_ms: a.attemptedAtMs,
        status_code: a.statusCode,
        latency_ms: a.latencyMs,
        outcome: a.outcome,
        error: a.error,
        response_excerpt: a.responseExcerpt,
      })),
      next: rows.length === limit ? String(rows[rows.length - 1]!.id) : '',
    };
  }

  /** Queues one finished delivery again (same event id), after the person's pending ones. */
  async replayOne(workspaceId: number, rawId: string, rawDeliveryId: string): Promise<number[]> {
    const sub = await this.find(workspaceId, rawId);
    const deliveryId = parseCursor(rawDeliveryId, 'delivery_id')!;
    const nowMs = this.clock.now();
    const ids = await this.store.transaction(async (trx) => {
      if (deliveryId < EVENT_ID_BASE)
        return replayWebhookDeliveries(trx, this.store.dialect, sub.id, {
          ids: [deliveryId],
          limit: 1,
          nowMs,
        });
      // An event the subscription's cursor has passed, while it is kept.
      const e = await findCursorEvent(trx, this.store.dialect, workspaceId, deliveryId);
      if (!e || e.pos === null || e.pos > sub.cursorPos || !sub.events.includes(e.kind)) return [];
      await lockWebhookFanOut(trx, this.store.dialect, true);
      return queueReplays(
        trx,
        sub.id,
        [
          {
            workspace_id: workspaceId,
            event_id: e.eventId,
            event: e.kind,
            order_key: e.orderKey,
            payload: e.payload,
          },
        ],
        nowMs,
      );
    });
    if (ids.length === 0)
      throw new NotFoundError(
        'no finished delivery with this id for this subscription (a pending one is still queued; a delivered event is kept for an hour)',
      );
    this.worker?.nudgeQueue();
    return ids;
  }

  /** Queues failed deliveries created since `since` (unix seconds; default 3 days ago) again. */
  async replayFailed(workspaceId: number, rawId: string, since?: number): Promise<number[]> {
    const sub = await this.find(workspaceId, rawId);
    const nowMs = this.clock.now();
    const ids = await this.store.transaction((trx) =>
      replayWebhookDeliveries(trx, this.store.dialect, sub.id, {
        sinceMs: since === undefined ? nowMs - 3 * 86400_000 : since * 1000,
        limit: REPLAY_MAX,
        nowMs,
      }),
    );
    if (ids.length > 0) this.worker?.nudgeQueue();
    return ids;
  }

  private async find(workspaceId: number, rawId: string): Promise<SubscriptionRow> {
    const row = await findSubscription(this.store.db, workspaceId, parseId(rawId));
    if (!row) throw new NotFoundError('no webhook subscription with this id');
    return row;
  }

  private checked(w: SubscriptionWrite): SubscriptionWrite {
    const url = w.url.trim();
    const refused = refuseWebhookUrl(url, this.settings.allowPrivate);
    if (refused) throw new InvalidInputError('url', `url is refused: ${refused}`);
    if (w.events.length === 0)
      throw new InvalidInputError('events', 'events must name at least one kind of event', 'required');
    const unknown = w.events.find((e) => !KINDS.has(e));
    if (unknown !== undefined)
      throw new InvalidInputError(
        'events',
        `events: ${JSON.stringify(unknown)} is not an event kind (one of ${WEBHOOK_EVENTS.join(', ')})`,
      );
    if (w.eventNames?.some((n) => typeof n !== 'string' || n === '' || n.length > 255))
      throw new InvalidInputError(
        'event_names',
        'event_names must be non-empty names of at most 255 characters',
      );
    if (w.segmentIds?.some((n) => !Number.isSafeInteger(n) || n <= 0))
      throw new InvalidInputError('segment_ids', 'segment_ids must be positive integers');
    if (!Number.isInteger(w.batch) || w.batch < 1 || w.batch > MAX_BATCH)
      throw new InvalidInputError('batch', `batch must be an integer from 1 to ${MAX_BATCH}`);
    return {
      ...w,
      url,
      events: [...new Set(w.events)],
      eventNames: w.eventNames ? [...new Set(w.eventNames)] : null,
      segmentIds: w.segmentIds ? [...new Set(w.segmentIds)] : null,
    };
  }
}

function view(s: SubscriptionRow, secret?: string): WebhookView {
  return {
    id: s.id,
    url: s.url,
    description: s.description,
    events: s.events,
    event_names: s.eventNames,
    segment_ids: s.segmentIds,
    enabled: s.enabled,
    batch: s.batch,
    paused: s.pausedAt === null ? null : { reason: s.pausedReason ?? '', at: s.pausedAt },
    previous_secret_expires_at:
      s.previousSecretUntilMs === null ? null : Math.floor(s.previousSecretUntilMs / 1000),
    ...(secret !== undefined ? { secret } : {}),
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

function parseId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) <= 0)
    throw new NotFoundError('no webhook subscription with this id');
  return Number(raw);
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError('limit', 'limit must be a positive integer');
  return Math.min(n, 100);
}

function parseCursor(raw: string | undefined, field = 'start'): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw))
    throw new InvalidInputError(field, `${field} must be an id from an earlier answer`);
  return Number(raw);
}
