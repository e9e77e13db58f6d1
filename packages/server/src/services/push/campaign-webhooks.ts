import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { CampaignService } from '../../messaging/campaigns/campaigns.js';
import {
  parseWebhookAction,
  queueWebhookSend,
  renderWebhookAction,
  webhookContext,
  type RenderedWebhook,
  type WebhookAction,
} from '../../messaging/campaigns/webhook-action.js';
import type { TemplateRenderer } from '../../messaging/templates/template-render.js';
import { loadRecipient, type Recipient } from '../../store/messaging/recipients.js';
import type { Store } from '../../store/store.js';
import { campaignSubscriptionId } from '../../store/webhooks/subscriptions.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { PeopleReadService } from '../people/people-read.js';
import type { PreviewPerson, WebhookPreview, WebhookTestSend } from './preview-input.js';

/**
 * Preview and test-send of campaign webhook actions (docs/webhooks.md "Campaign webhook actions"),
 * as `POST /v1/templates/preview` and `POST /v1/send/push` are for push templates.
 */
export class CampaignWebhookService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly renderer: TemplateRenderer,
    private readonly people: PeopleReadService,
    private readonly campaigns: CampaignService,
    private readonly allowPrivate: boolean,
    /** After a test send is queued: wakes the webhook worker. */
    private readonly onQueued: () => void = () => {},
  ) {}

  /** `POST /v1/campaigns/webhook/preview`: renders an action for one person; nothing is sent. */
  async preview(ws: Workspace, command: WebhookPreview): Promise<{ rendered: Record<string, unknown> }> {
    const action = parseWebhookAction(command.action, this.renderer, {
      allowPrivate: this.allowPrivate,
      at: '/action',
      secret: '',
    });
    const { recipient, data } = await this.person(ws, command);
    const r = await renderWebhookAction(
      this.renderer,
      action,
      await webhookContext(this.store.db, ws.id, action, recipient, data),
    );
    return {
      rendered: { url: r.url, method: r.method, headers: r.headers, body: r.body, error: r.error },
    };
  }

  /**
   * `POST /v1/campaigns/:id/test-send`: sends the campaign's webhook action (or `action`, an unsaved
   * edit of it to the same URL) to its endpoint once, for one person, as a message of its own.
   */
  async testSend(
    ws: Workspace,
    rawId: string,
    command: WebhookTestSend,
  ): Promise<{ delivery_id: string; error: string | null }> {
    const campaign = await this.campaigns.get(ws, rawId);
    let action: WebhookAction;
    if (command.action) {
      if (campaign.action.type !== 'webhook')
        throw new InvalidInputError(
          '/action',
          'save the campaign with its webhook action first: a test goes to its saved url',
        );
      action = parseWebhookAction(command.action, this.renderer, {
        allowPrivate: this.allowPrivate,
        at: '/action',
        secret: campaign.action.secret,
      });
      if (action.url !== campaign.action.url)
        throw new InvalidInputError(
          '/action/url',
          `a test goes to the campaign's saved url (${campaign.action.url}); save the new one first`,
        );
    } else if (campaign.action.type === 'webhook') {
      action = campaign.action;
    } else {
      throw new InvalidInputError('/action', `campaign ${campaign.id} sends a push, not a webhook`);
    }
    const { recipient, data } = await this.person(ws, command);
    const rendered: RenderedWebhook = await renderWebhookAction(
      this.renderer,
      action,
      await webhookContext(this.store.db, ws.id, action, recipient, data),
    );
    const subscriptionId = await campaignSubscriptionId(this.store.db, ws.id, campaign.id);
    const nowMs = this.clock.now();
    const deliveryId = await this.store.transaction((trx) =>
      queueWebhookSend(trx, {
        workspaceId: ws.id,
        recipient,
        rendered,
        subscriptionId,
        refs: {},
        sendAtMs: nowMs,
        nowMs,
      }),
    );
    this.onQueued();
    return { delivery_id: deliveryId, error: rendered.error };
  }

  private async person(
    ws: Workspace,
    who: PreviewPerson,
  ): Promise<{
    recipient: Recipient;
    data: { event?: Record<string, unknown>; trigger?: Record<string, unknown> };
  }> {
    const person = await this.people.resolve(ws, who.idType, who.customerId);
    const recipient = await loadRecipient(this.store.db, ws.id, Number(person.pid));
    if (!recipient) throw new NotFoundError();
    return {
      recipient,
      data: {
        ...(who.event ? { event: who.event } : {}),
        ...(who.trigger ? { trigger: who.trigger } : {}),
      },
    };
  }
}
