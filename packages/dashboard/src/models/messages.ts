import type { AppCampaign, AppMessage, TransactionalMessage } from '@roster/protocol';
import { webhookTarget } from './campaign-words';

/** What a delivery was, in words people recognise: its title, and the template or campaign it came from. */
export interface MessageWords {
  title: string;
  source: string;
}

export function messageWords(
  m: AppMessage,
  templates: readonly TransactionalMessage[],
  campaigns: readonly AppCampaign[],
): MessageWords {
  const template =
    m.transactional_message_id === null
      ? undefined
      : templates.find(
          (t) => t.id === m.transactional_message_id || t.name === String(m.transactional_message_id),
        );
  const campaign = campaigns.find((c) => c.id === (m.campaign_id ?? m.broadcast_id));
  const source = campaign
    ? `${campaign.type === 'broadcast' ? 'Broadcast' : 'Campaign'} “${campaign.name}”`
    : template
      ? `Template “${template.name}”`
      : m.transactional_message_id !== null
        ? `Template #${m.transactional_message_id}`
        : m.broadcast_id !== null
          ? `Broadcast #${m.broadcast_id}`
          : m.campaign_id !== null
            ? `Campaign #${m.campaign_id}`
            : m.type === 'webhook'
              ? 'Test request'
              : `${m.type} message`;
  // A campaign's webhook request has no title: it is named by where it went.
  const title =
    m.title?.trim() ||
    m.subject?.trim() ||
    (m.type === 'webhook' && m.recipient ? `Webhook to ${webhookTarget(m.recipient)}` : '') ||
    (m.failure_message ? 'Not sent' : '(no title)');
  return { title, source };
}
