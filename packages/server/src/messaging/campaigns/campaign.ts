import type { FilterNode } from '../../filter/ast.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { CampaignRow } from '../../store/campaigns/campaigns.js';
import { parseJson } from '../../store/store.js';
import type { PushTemplate } from '../templates/push-template.js';
import type { CampaignAction } from './webhook-action.js';

/**
 * A change to an object of type `type_id` (docs/objects.md "Campaigns triggered by an object's
 * change"): optionally only to some `attributes`, only while the object matches `where`; the
 * audience is its related people, optionally only those whose relationship matches `relationship`.
 */
export interface ObjectChangedTrigger {
  type_id: string;
  attributes?: string[];
  where?: unknown;
  relationship?: unknown;
}

export type CampaignTrigger =
  { event: string } | { segment_entered: number } | { object_changed: ObjectChangedTrigger };

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
  /** What it sends: a push (the template), or a webhook (docs/webhooks.md "Campaign webhook actions"). */
  action: CampaignAction;
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

/** A campaign as stored, with its filter parsed (null when it no longer parses). */
export function toCampaign(r: CampaignRow): Campaign {
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
    action:
      r.action === null || r.action === undefined ? { type: 'push' } : parseJson<CampaignAction>(r.action),
    delaySeconds: Number(r.delay_seconds),
    active: Number(r.active) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
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
    action: c.action,
    delay_seconds: c.delaySeconds,
    active: c.active,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    ...(c.metrics ? { metrics: c.metrics } : {}),
  };
}
