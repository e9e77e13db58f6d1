import { unixSeconds, type Clock } from '../../lib/clock.js';
import {
  campaignsTriggeredByEvent,
  campaignsTriggeredByObjectType,
  campaignsTriggeredBySegments,
  claimCampaignSend,
} from '../../store/campaigns/campaigns.js';
import { insertPendingSend } from '../../store/campaigns/pending-sends.js';
import { loadRecipient } from '../../store/messaging/recipients.js';
import type { Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
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
 * segment), once per trigger: the decision is recorded inside the transaction that caused the
 * trigger, the render happens after it commits; broadcast pages send through `sendToPerson` too.
 */
export class CampaignSender {
  constructor(
    private readonly clock: Clock,
    private readonly dialect: DialectName = 'sqlite',
    /** After a pending send is recorded: wakes the send runner (SQLite; PostgreSQL also NOTIFYs). */
    private readonly onQueued: () => void = () => {},
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
    const obj = await findObjectByOid(trx, ws.id, change.oid);
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
   * Decides to send one campaign to one person inside `trx`, at most once per `triggerKey`: the
   * dedupe row and a pending send commit together with the write that triggered it. Unsubscribed
   * people and people the filter excludes get nothing. Nothing is rendered here: the template is
   * rendered and the message queued after the commit, by `CampaignSendRunner`
   * (docs/messaging.md "When a triggered message is rendered"). Returns whether a send is pending.
   */
  async sendToPerson(trx: Tx, c: Campaign, pid: number, o: SendOptions): Promise<boolean> {
    const now = unixSeconds(this.clock);
    if (!(await claimCampaignSend(trx, c.workspaceId, c.id, o.triggerKey, pid, now))) return false;
    const recipient = await loadRecipient(trx, c.workspaceId, pid);
    if (!recipient || recipient.unsubscribed) return false;
    if (!o.skipFilter && c.filterAst && !(await personMatches(trx, c.workspaceId, c.filterAst, pid, now)))
      return false;
    const data: PendingSendData = {
      ...(o.event ? { event: o.event } : {}),
      ...(o.trigger ? { trigger: o.trigger } : {}),
      ...(o.triggerEventId ? { trigger_event_id: o.triggerEventId } : {}),
    };
    await insertPendingSend(
      trx,
      {
        workspaceId: c.workspaceId,
        campaignId: c.id,
        personPid: pid,
        triggerKey: o.triggerKey,
        data: toJson(data),
        sendAtMs: this.clock.now() + c.delaySeconds * 1000,
      },
      now,
    );
    this.onQueued();
    return true;
  }
}

/** What a pending send keeps for its render: the template's `event` and `trigger`. */
export interface PendingSendData {
  event?: Record<string, unknown>;
  trigger?: Record<string, unknown>;
  trigger_event_id?: string;
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
