import { unixSeconds, type Clock } from '../../lib/clock.js';
import {
  campaignsTriggeredByEvent,
  campaignsTriggeredBySegments,
  claimCampaignSend,
  setCampaignSendDelivery,
} from '../../store/campaigns/campaigns.js';
import { loadRecipient, selectPushDevices, type Recipient } from '../../store/messaging/recipients.js';
import type { Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { MessagingService } from '../messaging-service.js';
import type { PushTemplate } from '../templates/push-template.js';
import { TemplateSyntaxError } from '../templates/template-errors.js';
import { personMatches } from './audience.js';
import { toCampaign, type Campaign } from './campaign.js';
import type { TransactionalService } from './transactional.js';

/** An event a write stored for a person (the Track write pipeline hands each one to `onEvent`). */
export interface TriggeringEvent {
  personPid: number;
  eventId: string;
  name: string;
  data: Record<string, unknown>;
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
 * Triggered campaigns send to each person who triggers them (an event of a name, or entering a
 * segment), once per trigger, inside the transaction that caused the trigger; broadcast pages send
 * through `sendToPerson` too.
 */
export class CampaignSender {
  constructor(
    private readonly clock: Clock,
    private readonly messaging: MessagingService,
    private readonly transactional: TransactionalService,
    private readonly log: { warn(obj: unknown, msg: string): void } = { warn: () => {} },
  ) {}

  /** The write pipeline's `onEvent` step: an event starts every active campaign triggered by its name. */
  readonly onEvent = async (trx: Tx, ws: Workspace, e: TriggeringEvent): Promise<void> => {
    const rows = await campaignsTriggeredByEvent(trx, ws.id, e.name);
    for (const row of rows) {
      await this.sendToPerson(trx, toCampaign(row), e.personPid, {
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
      const c = toCampaign(row);
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
   * In phases: decide (dedupe, recipient, filter, template), queue, record the delivery.
   */
  async sendToPerson(trx: Tx, c: Campaign, pid: number, o: SendOptions): Promise<string | null> {
    const send = await this.decide(trx, c, pid, o);
    if (!send) return null;
    const deliveryId = await this.queue(trx, c, o, send);
    if (deliveryId === null) return null;
    await setCampaignSendDelivery(trx, c.id, o.triggerKey, deliveryId);
    return deliveryId;
  }

  /** Whether this person gets this campaign for this trigger, and with what; claims the trigger. */
  private async decide(
    trx: Tx,
    c: Campaign,
    pid: number,
    o: SendOptions,
  ): Promise<{ recipient: Recipient; template: PushTemplate } | null> {
    const now = unixSeconds(this.clock);
    if (!(await claimCampaignSend(trx, c.id, o.triggerKey, pid, now))) return null;
    const recipient = await loadRecipient(trx, c.workspaceId, pid);
    if (!recipient || recipient.unsubscribed) return null;
    if (!o.skipFilter && c.filterAst && !(await personMatches(trx, c.filterAst, pid, now))) return null;
    const template = await this.templateOf(trx, c);
    return template ? { recipient, template } : null;
  }

  /** Queues the push to the person's devices; null when the stored template no longer parses. */
  private async queue(
    trx: Tx,
    c: Campaign,
    o: SendOptions,
    { recipient, template }: { recipient: Recipient; template: PushTemplate },
  ): Promise<string | null> {
    const devices = await selectPushDevices(trx, c.workspaceId, recipient.pid, 'all');
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
      return queued.deliveryId;
    } catch (err) {
      // A template saved before validation existed; never fail the write that triggered it.
      if (!(err instanceof TemplateSyntaxError)) throw err;
      this.log.warn({ campaign: c.id, err: err.message }, 'campaign template does not parse');
      return null;
    }
  }

  private async templateOf(trx: Tx, c: Campaign): Promise<PushTemplate | null> {
    if (c.template) return c.template;
    if (c.transactionalMessageId === null) return null;
    return (await this.transactional.byId(trx, c.workspaceId, c.transactionalMessageId))?.template ?? null;
  }
}
