import { existingSegmentIds } from '../../store/segments/segments-read.js';
import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { TemplateSyntaxError, type MessagingService, type PushTemplate } from '../index.js';
import { loadRecipient, selectPushDevices } from '../../store/messaging/recipients.js';
import {
  campaignById,
  campaignsOf,
  campaignsTriggeredByEvent,
  campaignsTriggeredBySegments,
  claimCampaignSend,
  insertCampaign,
  setCampaignSendDelivery,
  updateCampaign,
  type CampaignFields,
  type CampaignRow,
} from '../../store/campaigns/campaigns.js';
import { campaignCounts } from '../../store/messaging/messages-read.js';
import { parseJson, toJson, type Store, type Tx } from '../../store/store.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { FilterNode } from '../../filter/ast.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import { personMatches } from './audience.js';
import { checkTemplate, parsePushTemplate } from '../templates/template-input.js';
import type { TransactionalService } from './transactional.js';

/** An event a write stored for a person (the Track write pipeline hands each one to `onEvent`). */
export interface TriggeringEvent {
  personPid: number;
  eventId: string;
  name: string;
  data: Record<string, unknown>;
}

export type CampaignTrigger = { event: string } | { segment_entered: number };

export interface Campaign {
  id: number;
  workspaceId: number;
  name: string;
  type: 'triggered' | 'broadcast';
  trigger: CampaignTrigger | null;
  /** As given (the wire form); `filterAst` is its parse. */
  filter: unknown;
  filterAst: FilterNode | null;
  template: PushTemplate | null;
  transactionalMessageId: number | null;
  delaySeconds: number;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface CampaignMetrics {
  sent: number;
  delivered: number;
  opened: number;
  bounced: number;
  failed: number;
}

/** Longest `delay_seconds`: 90 days, the same horizon as `send_at`. */
export const MAX_DELAY_SECONDS = 90 * 86_400;
const MAX_NAME = 255;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface SendOptions {
  /** Dedupe key within the campaign: the event id, the segment entry, the broadcast trigger + person. */
  triggerKey: string;
  event?: Record<string, unknown>;
  trigger?: Record<string, unknown>;
  triggerEventId?: string | null;
  /** Broadcasts: the audience already is the filter. */
  skipFilter?: boolean;
}

/**
 * Campaigns: triggered ones send to each person who triggers them (an event of a name, or entering
 * a segment), once per trigger, inside the transaction that caused the trigger; broadcasts fan out
 * on `POST /v1/campaigns/:id/triggers` (see `BroadcastRunner`).
 */
export class CampaignService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly messaging: MessagingService,
    private readonly transactional: TransactionalService,
    private readonly log: { warn(obj: unknown, msg: string): void } = { warn: () => {} },
  ) {}

  // ---- reads and writes of definitions ----

  async list(ws: Workspace): Promise<Array<Campaign & { metrics: CampaignMetrics }>> {
    const rows = await campaignsOf(this.store.db, ws.id);
    const campaigns = rows.map((r) => this.toCampaign(r));
    const metrics = await this.metricsOf(
      ws.id,
      campaigns.map((c) => c.id),
    );
    return campaigns.map((c) => ({ ...c, metrics: metrics.get(c.id) ?? emptyMetrics() }));
  }

  async get(ws: Workspace, rawId: string): Promise<Campaign & { metrics: CampaignMetrics }> {
    const c = await this.byId(this.store.db, ws.id, parseId(rawId));
    if (!c) throw new NotFoundError();
    const metrics = await this.metricsOf(ws.id, [c.id]);
    return { ...c, metrics: metrics.get(c.id) ?? emptyMetrics() };
  }

  async byId(trx: Tx, workspaceId: number, id: number | null): Promise<Campaign | undefined> {
    if (id === null) return undefined;
    const row = await campaignById(trx, workspaceId, id);
    return row && this.toCampaign(row);
  }

  async create(ws: Workspace, body: unknown): Promise<Campaign> {
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
      const v = await this.validate(trx, ws, body, undefined);
      return this.toCampaign(await insertCampaign(trx, ws.id, v, now));
    });
  }

  /** Partial update: given fields replace the stored ones; the result is validated as a whole. */
  async update(ws: Workspace, rawId: string, body: unknown): Promise<Campaign> {
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
      const existing = await this.byId(trx, ws.id, parseId(rawId));
      if (!existing) throw new NotFoundError();
      const v = await this.validate(trx, ws, body, existing);
      return this.toCampaign(await updateCampaign(trx, existing.id, v, now));
    });
  }

  private async validate(
    trx: Tx,
    ws: Workspace,
    body: unknown,
    existing: Campaign | undefined,
  ): Promise<CampaignFields> {
    if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
    const pick = <K extends string>(key: K, current: unknown): unknown => (key in body ? body[key] : current);
    const name = pick('name', existing?.name);
    if (typeof name !== 'string' || name.trim() === '')
      throw new InvalidInputError('/name', 'name is required', 'required');
    if (name.length > MAX_NAME)
      throw new InvalidInputError('/name', `name is longer than ${MAX_NAME} characters`, 'too_long');
    const type = pick('type', existing?.type);
    if (type !== 'triggered' && type !== 'broadcast')
      throw new InvalidInputError('/type', 'type must be triggered or broadcast', 'required');
    if (existing && type !== existing.type)
      throw new InvalidInputError('/type', 'a campaign cannot change its type', 'invalid');

    const rawTrigger = pick('trigger', existing?.trigger ?? null);
    let trigger: CampaignTrigger | null = null;
    if (type === 'triggered') {
      if (!isObject(rawTrigger))
        throw new InvalidInputError(
          '/trigger',
          'a triggered campaign needs trigger {event: name} or {segment_entered: id}',
          'required',
        );
      const keys = Object.keys(rawTrigger);
      if (keys.length !== 1)
        throw new InvalidInputError('/trigger', 'trigger takes exactly one of event, segment_entered');
      if (keys[0] === 'event') {
        const e = rawTrigger.event;
        if (typeof e !== 'string' || e.trim() === '')
          throw new InvalidInputError('/trigger/event', 'trigger.event must be an event name', 'required');
        trigger = { event: e.trim() };
      } else if (keys[0] === 'segment_entered') {
        const raw = rawTrigger.segment_entered;
        const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
          throw new InvalidInputError(
            '/trigger/segment_entered',
            'trigger.segment_entered must be a segment id',
          );
        if (!(await existingSegmentIds(trx, ws.id, [id])).has(id))
          throw new InvalidInputError(
            '/trigger/segment_entered',
            `segment ${id} does not exist`,
            'not_found',
          );
        trigger = { segment_entered: id };
      } else throw new InvalidInputError(`/trigger/${keys[0]}`, `unknown trigger ${keys[0]}`);
    } else if (rawTrigger !== null && rawTrigger !== undefined) {
      throw new InvalidInputError('/trigger', 'a broadcast has no trigger: it is sent through /triggers');
    }

    const rawFilter = pick('filter', existing?.filter ?? null);
    if (rawFilter !== null && rawFilter !== undefined)
      await parseWorkspaceFilter(rawFilter, (ids) => existingSegmentIds(trx, ws.id, ids), '/filter');

    const rawTemplate =
      'template' in body
        ? body.template
        : existing
          ? (existing.template ?? existing.transactionalMessageId)
          : undefined;
    let template: PushTemplate | null = null;
    let transactionalId: number | null = null;
    if (typeof rawTemplate === 'number' || typeof rawTemplate === 'string') {
      const t = await this.transactional.resolve(trx, ws.id, rawTemplate);
      if (!t) throw new InvalidInputError('/template', 'transactional message not found', 'not_found');
      transactionalId = t.id;
    } else {
      template = checkTemplate(
        this.messaging.renderer,
        parsePushTemplate(rawTemplate, '/template'),
        '/template',
      );
    }

    const delay = pick('delay_seconds', existing?.delaySeconds ?? 0) ?? 0;
    if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
      throw new InvalidInputError(
        '/delay_seconds',
        `delay_seconds must be an integer from 0 to ${MAX_DELAY_SECONDS}`,
      );
    const active = pick('active', existing?.active ?? true);
    if (typeof active !== 'boolean') throw new InvalidInputError('/active', 'active must be a boolean');

    return {
      name: name.trim(),
      type,
      trigger: trigger ? toJson(trigger) : null,
      trigger_event: trigger && 'event' in trigger ? trigger.event : null,
      trigger_segment_id: trigger && 'segment_entered' in trigger ? trigger.segment_entered : null,
      filter: rawFilter === null || rawFilter === undefined ? null : toJson(rawFilter),
      template: template ? toJson(template) : null,
      transactional_message_id: transactionalId,
      delay_seconds: delay,
      active: active ? 1 : 0,
    };
  }

  private toCampaign(r: CampaignRow): Campaign {
    const filter = r.filter === null ? null : parseJson<unknown>(r.filter);
    let filterAst: FilterNode | null = null;
    if (filter !== null) {
      try {
        filterAst = parseFilter(filter);
      } catch {
        filterAst = null;
      }
    }
    return {
      id: Number(r.id),
      workspaceId: Number(r.workspace_id),
      name: r.name,
      type: r.type === 'broadcast' ? 'broadcast' : 'triggered',
      trigger: r.trigger === null ? null : parseJson<CampaignTrigger>(r.trigger),
      filter,
      filterAst,
      template: r.template === null ? null : parseJson<PushTemplate>(r.template),
      transactionalMessageId: r.transactional_message_id === null ? null : Number(r.transactional_message_id),
      delaySeconds: Number(r.delay_seconds),
      active: Number(r.active) === 1,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }

  /** Delivery counts per campaign (triggered: `campaign_id`; broadcasts: `broadcast_id`). */
  private metricsOf(workspaceId: number, ids: number[]): Promise<Map<number, CampaignMetrics>> {
    return campaignCounts(this.store.db, this.store.dialect, workspaceId, ids);
  }

  // ---- sending ----

  /** The write pipeline's `onEvent` step: an event starts every active campaign triggered by its name. */
  readonly onEvent = async (trx: Tx, ws: Workspace, e: TriggeringEvent): Promise<void> => {
    const rows = await campaignsTriggeredByEvent(trx, ws.id, e.name);
    for (const row of rows) {
      await this.sendToPerson(trx, this.toCampaign(row), e.personPid, {
        triggerKey: `event:${e.eventId}`,
        event: { name: e.name, ...e.data },
        triggerEventId: e.eventId,
      });
    }
  };

  /** The segments engine's `onEntered` hook: entering a segment starts the campaigns it triggers. */
  readonly onSegmentEntered = async (
    trx: Tx,
    workspaceId: number,
    personPid: number,
    segmentIds: readonly number[],
    now: number,
  ): Promise<void> => {
    const rows = await campaignsTriggeredBySegments(trx, workspaceId, segmentIds);
    for (const row of rows) {
      const c = this.toCampaign(row);
      const segmentId = c.trigger && 'segment_entered' in c.trigger ? c.trigger.segment_entered : 0;
      await this.sendToPerson(trx, c, personPid, {
        triggerKey: `segment:${segmentId}:${personPid}:${now}`,
        trigger: { segment_id: segmentId },
      });
    }
  };

  /**
   * Sends one campaign to one person inside `trx`, at most once per `triggerKey`: the dedupe row,
   * the messages and the outbox rows commit together. Unsubscribed people and people the filter
   * excludes get nothing. Returns the delivery id, or null when nothing was queued.
   */
  async sendToPerson(trx: Tx, c: Campaign, pid: number, o: SendOptions): Promise<string | null> {
    const now = unixSeconds(this.clock);
    if (!(await claimCampaignSend(trx, c.id, o.triggerKey, pid, now))) return null;
    const recipient = await loadRecipient(trx, c.workspaceId, pid);
    if (!recipient || recipient.unsubscribed) return null;
    if (!o.skipFilter && c.filterAst && !(await personMatches(trx, c.filterAst, pid, now))) return null;
    const template = await this.templateOf(trx, c);
    if (!template) return null;
    const devices = await selectPushDevices(trx, c.workspaceId, pid, 'all');
    let deliveryId: string;
    try {
      const queued = await this.messaging.queuePush(trx, {
        workspaceId: c.workspaceId,
        recipient,
        devices,
        template,
        ...(o.event ? { event: o.event } : {}),
        ...(o.trigger ? { trigger: o.trigger } : {}),
        refs:
          c.type === 'broadcast'
            ? { broadcastId: c.id }
            : { campaignId: c.id, triggerEventId: o.triggerEventId ?? null },
        sendAtMs: this.clock.now() + c.delaySeconds * 1000,
      });
      deliveryId = queued.deliveryId;
    } catch (err) {
      // A template saved before validation existed; never fail the write that triggered it.
      if (!(err instanceof TemplateSyntaxError)) throw err;
      this.log.warn({ campaign: c.id, err: err.message }, 'campaign template does not parse');
      return null;
    }
    await setCampaignSendDelivery(trx, c.id, o.triggerKey, deliveryId);
    return deliveryId;
  }

  private async templateOf(trx: Tx, c: Campaign): Promise<PushTemplate | null> {
    if (c.template) return c.template;
    if (c.transactionalMessageId === null) return null;
    return (await this.transactional.byId(trx, c.workspaceId, c.transactionalMessageId))?.template ?? null;
  }
}

function emptyMetrics(): CampaignMetrics {
  return { sent: 0, delivered: 0, opened: 0, bounced: 0, failed: 0 };
}

function parseId(raw: string): number | null {
  return /^\d+$/.test(raw) && raw.length < 16 ? Number(raw) : null;
}

/** The wire form of a campaign (`GET /v1/campaigns[/:id]`). */
export function campaignView(c: Campaign & { metrics?: CampaignMetrics }): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    trigger: c.trigger,
    filter: c.filter,
    template: c.template ?? c.transactionalMessageId,
    delay_seconds: c.delaySeconds,
    active: c.active,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    ...(c.metrics ? { metrics: c.metrics } : {}),
  };
}
