import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { NotFoundError } from '../../lib/errors.js';
import {
  campaignById,
  campaignsOf,
  insertCampaign,
  updateCampaign,
} from '../../store/campaigns/campaigns.js';
import { campaignCounts } from '../../store/messaging/messages-read.js';
import type { Store, Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { MessagingService } from '../messaging-service.js';
import { toCampaign, type Campaign, type CampaignMetrics } from './campaign.js';
import { validateCampaign, type CampaignInputDeps, type CampaignWrite } from './campaign-input.js';
import { saveCampaignSubscription } from '../../store/webhooks/subscriptions.js';
import { newWebhookSecret } from '../webhooks/webhook-signature.js';
import { CampaignSender } from './campaign-sending.js';
import type { TransactionalService } from './transactional.js';

export { campaignView, type Campaign, type CampaignMetrics, type CampaignTrigger } from './campaign.js';
export { MAX_DELAY_SECONDS } from './campaign-input.js';
export type { SendOptions, TriggeringEvent, TriggeringObjectChange } from './campaign-sending.js';

/**
 * Campaigns: their definitions (list, read with delivery counts, create, update) and, through
 * `CampaignSender`, their sending: triggered ones are decided inside the transaction that caused
 * the trigger (`onEvent`, `onSegmentEntered`); broadcasts fan out on `POST /v1/campaigns/:id/triggers`
 * (see `BroadcastRunner`), a page at a time through `sendToPerson`. Every decided send is rendered
 * after its transaction commits, by `CampaignSendRunner`.
 */
export class CampaignService {
  private readonly sender: CampaignSender;
  /** The write pipeline's `onEvent` step: an event starts every active campaign triggered by its name. */
  readonly onEvent: CampaignSender['onEvent'];
  /** The segments engine's `onEntered` hook: entering a segment starts the campaigns it triggers. */
  readonly onSegmentEntered: CampaignSender['onSegmentEntered'];
  /** The write pipeline's object-change step: campaigns triggered by an object's change fan out. */
  readonly onObjectChanged: CampaignSender['onObjectChanged'];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly messaging: MessagingService,
    private readonly transactional: TransactionalService,
    /** After a send is decided: wakes the send runner (`MessagingRuntime.nudgeSends`). */
    onQueued: () => void = () => {},
    /** ROSTER_WEBHOOK_ALLOW_PRIVATE: webhook actions may name private addresses. */
    private readonly webhookAllowPrivate = false,
  ) {
    this.sender = new CampaignSender(clock, store.dialect, onQueued);
    this.onEvent = this.sender.onEvent;
    this.onObjectChanged = this.sender.onObjectChanged;
    this.onSegmentEntered = this.sender.onSegmentEntered;
  }

  sendToPerson(
    ...args: Parameters<CampaignSender['sendToPerson']>
  ): ReturnType<CampaignSender['sendToPerson']> {
    return this.sender.sendToPerson(...args);
  }

  async list(ws: Workspace): Promise<Array<Campaign & { metrics: CampaignMetrics }>> {
    const rows = await campaignsOf(this.store.db, ws.id);
    const campaigns = rows.map((r) => toCampaign(r));
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
    return row && toCampaign(row);
  }

  async create(ws: Workspace, write: CampaignWrite): Promise<Campaign> {
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
      const v = await validateCampaign(trx, ws, write, undefined, this.inputDeps());
      return this.saved(trx, toCampaign(await insertCampaign(trx, ws.id, v, now)), now);
    });
  }

  /** Partial update: given fields replace the stored ones; the result is validated as a whole. */
  async update(ws: Workspace, rawId: string, write: CampaignWrite): Promise<Campaign> {
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
      const existing = await this.byId(trx, ws.id, parseId(rawId));
      if (!existing) throw new NotFoundError();
      const v = await validateCampaign(trx, ws, write, existing, this.inputDeps());
      return this.saved(trx, toCampaign(await updateCampaign(trx, ws.id, existing.id, v, now)), now);
    });
  }

  /** A webhook action's endpoint (URL, signing secret) is kept with the webhook outbox's subscriptions. */
  private async saved(trx: Tx, c: Campaign, now: number): Promise<Campaign> {
    if (c.action.type === 'webhook')
      await saveCampaignSubscription(
        trx,
        { workspaceId: c.workspaceId, campaignId: c.id, url: c.action.url, secret: c.action.secret },
        now,
      );
    return c;
  }

  private inputDeps(): CampaignInputDeps {
    return {
      renderer: this.messaging.renderer,
      transactional: this.transactional,
      allowPrivate: this.webhookAllowPrivate,
      newSecret: newWebhookSecret,
    };
  }

  /** Delivery counts per campaign (triggered: `campaign_id`; broadcasts: `broadcast_id`). */
  private metricsOf(workspaceId: number, ids: number[]): Promise<Map<number, CampaignMetrics>> {
    return campaignCounts(this.store.db, this.store.dialect, workspaceId, ids);
  }
}

function emptyMetrics(): CampaignMetrics {
  return { sent: 0, delivered: 0, opened: 0, bounced: 0, failed: 0 };
}

function parseId(raw: string): number | null {
  return /^\d+$/.test(raw) && raw.length < 16 ? Number(raw) : null;
}
