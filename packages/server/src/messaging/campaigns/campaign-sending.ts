import { unixSeconds, type Clock } from '../../lib/clock.js';
import {
  campaignsTriggeredByEvent,
  campaignsTriggeredByObjectType,
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
import { toCampaign, type Campaign, type ObjectChangedTrigger } from './campaign.js';
import type { DialectName } from '../../store/dialect.js';
import { findObjectByOid, type ObjectRow } from '../../store/objects/objects.js';
import { findObjectType } from '../../store/objects/object-types.js';
import { searchObjects } from '../../store/objects/objects-read.js';
import { compileObjectFilter } from '../../store/filter/compile-filter.js';
import { insertBroadcastTrigger } from '../../store/campaigns/broadcasts.js';
import { parseFilter } from '../../filter/parse-filter.js';
import { toJson } from '../../store/store.js';
import { slugOf } from '../../lib/slug.js';
import type { ObjectAudience } from './broadcasts.js';
import type { TransactionalService } from './transactional.js';

/** An event a write stored for a person (the Track write pipeline hands each one to `onEvent`). */
export interface TriggeringEvent {
  personPid: number;
  eventId: string;
  name: string;
  data: Record<string, unknown>;
}

/** An object whose attributes a write changed (the write pipeline's object-change step). */
export interface TriggeringObjectChange {
  typeId: string;
  oid: number;
  /** The attributes the write changed; absent for a deleted object (which triggers nothing). */
  attributes?: readonly string[];
  removedPids?: readonly number[];
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
    private readonly dialect: DialectName = 'sqlite',
  ) {}

  /**
   * The write pipeline's object-change step (docs/objects.md "Campaigns triggered by an object's
   * change"): for each active campaign triggered by a change to this object's type whose
   * conditions hold (a listed attribute changed, the object matches `where`), one fan-out is
   * queued, inside the write. The fan-out itself (the object's related people, page by page,
   * each page its own transaction) is the broadcast runner's: an object with 100,000 people costs
   * its write one row per campaign, not one send per person.
   */
  readonly onObjectChanged = async (
    trx: Tx,
    ws: Workspace,
    change: TriggeringObjectChange,
  ): Promise<void> => {
    if (change.removedPids || !change.attributes || change.attributes.length === 0) return;
    const rows = await campaignsTriggeredByObjectType(trx, ws.id, change.typeId);
    if (rows.length === 0) return;
    const obj = await findObjectByOid(trx, change.oid);
    if (!obj || obj.workspaceId !== ws.id) return;
    const type = await findObjectType(trx, ws.id, obj.typeId);
    const now = unixSeconds(this.clock);
    for (const row of rows) {
      const c = toCampaign(row);
      const t = c.trigger && 'object_changed' in c.trigger ? c.trigger.object_changed : undefined;
      if (!t) continue;
      if (t.attributes && !t.attributes.some((a) => change.attributes!.includes(a))) continue;
      if (t.where !== undefined && !(await this.objectMatches(trx, obj, t))) continue;
      const snapshot = {
        ...obj.attributes,
        object_type_id: obj.typeId,
        object_id: obj.objectId,
        cio_object_id: obj.cioObjectId,
      };
      const data: Record<string, unknown> = { object: snapshot, changed: [...change.attributes] };
      const singular = type ? slugOf(type.singularName) : '';
      if (singular !== '' && !['object', 'changed', 'relationship'].includes(singular))
        data[singular] = snapshot;
      const audience: ObjectAudience = { object_oid: obj.oid, filter: audienceFilter(obj, t, c.filter) };
      await insertBroadcastTrigger(
        trx,
        { workspaceId: ws.id, campaignId: c.id, data: toJson(data), audience: toJson(audience) },
        now,
      );
    }
  };

  /** Whether the object, as the write left it, matches the trigger's `where`. */
  private async objectMatches(trx: Tx, obj: ObjectRow, t: ObjectChangedTrigger): Promise<boolean> {
    const node = parseFilter({ object: { type_id: t.type_id, where: t.where } });
    if (node.kind !== 'object' || !node.where) return true;
    const predicate = compileObjectFilter(node.where, this.dialect);
    const [found] = await searchObjects(trx, obj.workspaceId, obj.typeId, predicate, obj.oid - 1, 1);
    return found?.oid === obj.oid;
  }

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

/**
 * Who an object-triggered campaign reaches, as a person filter: related to this very object (its
 * `cio_object_id`) through a relationship that matches the trigger's `relationship`, and matching
 * the campaign's own `filter`. The fan-out reads it page by page from the object's relationships.
 */
function audienceFilter(obj: ObjectRow, t: ObjectChangedTrigger, campaignFilter: unknown): unknown {
  const pin = { attribute: { field: 'cio_object_id', operator: 'eq', value: obj.cioObjectId } };
  const condition: Record<string, unknown> = { type_id: obj.typeId, where: pin };
  if (t.relationship !== undefined) condition.relationship = t.relationship;
  const parts: unknown[] = [{ object: condition }];
  if (campaignFilter !== null && campaignFilter !== undefined) parts.push(campaignFilter);
  return parts.length === 1 ? parts[0] : { and: parts };
}
