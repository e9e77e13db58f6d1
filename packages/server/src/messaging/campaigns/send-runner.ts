import { randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { PolledWorker } from '../../lib/polling-loop.js';
import { setCampaignSendDelivery } from '../../store/campaigns/campaigns.js';
import {
  claimPendingSends,
  finishPendingSend,
  type PendingSendRow,
} from '../../store/campaigns/pending-sends.js';
import { loadRecipient, selectPushDevices, type Recipient } from '../../store/messaging/recipients.js';
import { campaignSubscriptionId } from '../../store/webhooks/subscriptions.js';
import {
  queueWebhookSend,
  renderWebhookAction,
  webhookContext,
  type WebhookAction,
} from './webhook-action.js';
import { parseJson, type Store } from '../../store/store.js';
import type { MessagingService } from '../messaging-service.js';
import type { QueuePushInput } from '../push-queue.js';
import type { PushTemplate } from '../templates/push-template.js';
import { TemplateSyntaxError } from '../templates/template-errors.js';
import type { Campaign } from './campaign.js';
import type { PendingSendData } from './campaign-sending.js';
import type { CampaignService } from './campaigns.js';
import type { TransactionalService } from './transactional.js';

export interface CampaignSendRunnerOptions {
  /** How long a claim on a pending send holds; a worker that dies releases it after this. */
  leaseMs?: number;
  /** Pending sends claimed at once. */
  batch?: number;
  pollMs?: number;
  /** Claims of one send after which it is dropped (and logged) instead of tried again. */
  maxAttempts?: number;
  /** After a message is queued: wakes the delivery worker. */
  onQueued?: () => void;
  /** After a webhook action's delivery is queued: wakes the webhook worker. */
  onWebhookQueued?: () => void;
  log?: { error(obj: unknown, msg: string): void; warn(obj: unknown, msg: string): void };
}

/**
 * Renders the sends campaigns decided inside writes (docs/messaging.md "When a triggered message
 * is rendered"): claims pending sends under a lease, renders each outside any transaction (reads
 * only: the person, their devices, the objects the template names), then writes the messages and
 * outbox rows and deletes the pending send in one short transaction. That transaction deletes the
 * row only while this worker's claim holds, so with several servers each send is queued once; a
 * crash before it leaves the row to be claimed again after the lease.
 */
export class CampaignSendRunner extends PolledWorker {
  private readonly o: Required<Omit<CampaignSendRunnerOptions, 'onQueued' | 'onWebhookQueued' | 'log'>> &
    CampaignSendRunnerOptions;
  private readonly workerId = `s-${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly messaging: MessagingService,
    private readonly campaigns: CampaignService,
    private readonly transactional: TransactionalService,
    options: CampaignSendRunnerOptions = {},
  ) {
    super(options.pollMs ?? 1_000, (err) =>
      options.log?.error({ err }, 'campaign sends: claiming failed; retrying'),
    );
    this.o = { leaseMs: 60_000, batch: 20, pollMs: 1_000, maxAttempts: 5, ...options };
  }

  /** Claims a batch and renders it; true when the batch was full (more may wait). */
  async runOnce(): Promise<boolean> {
    const claim = `${this.workerId}:${randomBytes(6).toString('hex')}`;
    const nowMs = this.clock.now();
    const rows = await this.store.transaction((trx) =>
      claimPendingSends(trx, this.store.dialect, claim, nowMs, nowMs + this.o.leaseMs, this.o.batch),
    );
    for (const row of rows) {
      if (this.poller.stopped) break;
      // Past half the lease (a slow machine, slow renders), the rest go back unsent: another claim
      // would otherwise take them while this one still holds them, and each claim counts as an
      // attempt, so a send could be dropped as failing that was never tried.
      if (this.clock.now() > nowMs + this.o.leaseMs / 2) break;
      try {
        await this.sendOne(row, claim);
      } catch (err) {
        // Left claimed: tried again once the lease runs out, up to maxAttempts claims.
        this.o.log?.error({ err, campaign: row.campaign_id, send: row.id }, 'campaign send failed');
      }
    }
    return rows.length === this.o.batch;
  }

  private async sendOne(row: PendingSendRow, claim: string): Promise<void> {
    const wsId = Number(row.workspace_id);
    const campaign = await this.campaigns.byId(this.store.db, wsId, Number(row.campaign_id));
    if (!campaign) return this.drop(row, claim);
    if (Number(row.attempts) > this.o.maxAttempts) {
      this.o.log?.error(
        { campaign: campaign.id, send: row.id, attempts: row.attempts },
        'campaign send dropped: it failed on every attempt',
      );
      return this.drop(row, claim);
    }
    const recipient = await loadRecipient(this.store.db, wsId, Number(row.person_pid));
    // Deleted or unsubscribed since the trigger: nothing goes out.
    if (!recipient || recipient.unsubscribed) return this.drop(row, claim);
    if (campaign.action.type === 'webhook')
      return this.sendWebhook(row, claim, campaign, campaign.action, recipient);
    const template = await this.templateOf(campaign);
    if (!template) return this.drop(row, claim);
    const data = parseJson<PendingSendData>(row.data) ?? {};
    const input: QueuePushInput = {
      workspaceId: wsId,
      recipient,
      devices: await selectPushDevices(this.store.db, wsId, recipient.pid, 'all'),
      template,
      ...(data.event ? { event: data.event } : {}),
      ...(data.trigger ? { trigger: data.trigger } : {}),
      refs:
        campaign.type === 'broadcast'
          ? { broadcastId: campaign.id }
          : { campaignId: campaign.id, triggerEventId: data.trigger_event_id ?? null },
      sendAtMs: Number(row.send_at_ms),
    };
    let plan;
    try {
      plan = await this.messaging.planPush(this.store.db, input);
    } catch (err) {
      // A template saved before validation existed: logged, and the send dropped.
      if (!(err instanceof TemplateSyntaxError)) throw err;
      this.o.log?.warn({ campaign: campaign.id, err: err.message }, 'campaign template does not parse');
      return this.drop(row, claim);
    }
    const queued = await this.store.transaction(async (trx) => {
      if (!(await finishPendingSend(trx, row, claim))) return false;
      const q = await this.messaging.writePush(trx, input, plan);
      await setCampaignSendDelivery(trx, wsId, campaign.id, row.trigger_key, q.deliveryId);
      return true;
    });
    if (queued) this.o.onQueued?.();
  }

  /**
   * A webhook action: rendered here (outside any transaction), then a message and a webhook outbox
   * delivery, or a failed message when the render is not sendable (docs/webhooks.md "Campaign
   * webhook actions").
   */
  private async sendWebhook(
    row: PendingSendRow,
    claim: string,
    campaign: Campaign,
    action: WebhookAction,
    recipient: Recipient,
  ): Promise<void> {
    const data = parseJson<PendingSendData>(row.data) ?? {};
    const context = await webhookContext(this.store.db, campaign.workspaceId, action, recipient, data);
    const rendered = await renderWebhookAction(this.messaging.renderer, action, context);
    const subscriptionId = await campaignSubscriptionId(this.store.db, campaign.workspaceId, campaign.id);
    const queued = await this.store.transaction(async (trx) => {
      if (!(await finishPendingSend(trx, row, claim))) return false;
      const id = await queueWebhookSend(trx, {
        workspaceId: campaign.workspaceId,
        recipient,
        rendered,
        subscriptionId,
        refs:
          campaign.type === 'broadcast'
            ? { broadcastId: campaign.id }
            : { campaignId: campaign.id, triggerEventId: data.trigger_event_id ?? null },
        sendAtMs: Number(row.send_at_ms),
        nowMs: this.clock.now(),
      });
      await setCampaignSendDelivery(trx, campaign.workspaceId, campaign.id, row.trigger_key, id);
      return true;
    });
    if (queued) this.o.onWebhookQueued?.();
  }

  private async drop(row: PendingSendRow, claim: string): Promise<void> {
    await this.store.transaction((trx) => finishPendingSend(trx, row, claim));
  }

  private async templateOf(c: Campaign): Promise<PushTemplate | null> {
    if (c.template) return c.template;
    if (c.transactionalMessageId === null) return null;
    return (
      (await this.transactional.byId(this.store.db, c.workspaceId, c.transactionalMessageId))?.template ??
      null
    );
  }
}
