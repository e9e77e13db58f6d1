import { listMessages, messageById, type MessageReadRow } from '../../store/messaging/messages-read.js';
import { parseJson, type Store } from '../../store/store.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { decodeCursor, encodeCursor } from '../query/cursor.js';
import type { IdType } from '../query/id-type.js';
import type { PeopleReadService } from '../people/people-read.js';

/**
 * `?metric=` values (docs/messaging.md "Messages and the status lifecycle"); `attempted` = any send
 * attempt (sent, bounced or failed).
 */
const METRICS = new Set([
  'attempted',
  'drafted',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'converted',
  'bounced',
  'spammed',
  'unsubscribed',
  'dropped',
  'failed',
  'undeliverable',
]);
const TYPES = new Set([
  'email',
  'webhook',
  'twilio',
  'push',
  'in_app',
  'slack',
  'whatsapp',
  'live_notification',
]);

export interface MessageQuery {
  type?: string | undefined;
  metric?: string | undefined;
  campaign_id?: string | undefined;
  broadcast_id?: string | undefined;
  start_ts?: string | undefined;
  end_ts?: string | undefined;
}

type Row = MessageReadRow;

const num = (v: number | null) => (v === null ? null : Number(v));

/**
 * The message object (docs/app-api.md "Messages"), plus Roster's `transactional_message_id`,
 * `title`, `body`.
 */
export function messageView(r: Row): Record<string, unknown> {
  const ids = r.customer_identifiers
    ? parseJson<{ id: string | null; email: string | null; cio_id: string }>(r.customer_identifiers)
    : null;
  const tm = r.transactional_message_id;
  return {
    id: r.delivery_id,
    deduplicate_id: `${r.delivery_id}:${Number(r.created_at)}`,
    type: r.type,
    created: Number(r.created_at),
    customer_id: ids?.id ?? null,
    customer_identifiers: ids,
    recipient: r.recipient,
    subject: r.subject,
    metrics: parseJson<Record<string, number>>(r.metrics) ?? {},
    failure_message: r.failure_message,
    forgotten: false,
    campaign_id: num(r.campaign_id),
    action_id: num(r.action_id),
    parent_action_id: null,
    broadcast_id: num(r.broadcast_id),
    newsletter_id: null,
    content_id: null,
    msg_template_id: null,
    trigger_event_id: r.trigger_event_id,
    transactional_message_id: tm === null ? null : /^\d+$/.test(tm) ? Number(tm) : tm,
    title: r.title,
    body: r.body,
  };
}

function intParam(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new InvalidInputError(name, `${name} must be a non-negative integer`);
  return Number(raw);
}

/** Message (delivery) read-back over the `messages` table, newest first, keyset-paged by delivery id. */
export class MessagesReadService {
  constructor(
    private readonly store: Store,
    private readonly people: PeopleReadService,
  ) {}

  async get(workspace: Workspace, id: string): Promise<{ message: Record<string, unknown> }> {
    const row = await messageById(this.store.db, workspace.id, id);
    if (!row) throw new NotFoundError();
    return { message: messageView(row) };
  }

  async list(
    workspace: Workspace,
    q: MessageQuery & { start?: string | undefined },
    limit: number,
    personPid?: number,
  ): Promise<{ messages: Array<Record<string, unknown>>; next: string }> {
    if (q.type !== undefined && q.type !== '' && !TYPES.has(q.type))
      throw new InvalidInputError('type', `type must be one of ${[...TYPES].join(', ')}`);
    if (q.metric !== undefined && q.metric !== '' && !METRICS.has(q.metric))
      throw new InvalidInputError('metric', `metric must be one of ${[...METRICS].join(', ')}`);
    const after = decodeCursor('m', q.start);
    const rows = await listMessages(this.store.db, this.store.dialect, {
      workspaceId: workspace.id,
      personPid,
      type: q.type || undefined,
      metric: q.metric || undefined,
      campaignId: intParam(q.campaign_id, 'campaign_id'),
      broadcastId: intParam(q.broadcast_id, 'broadcast_id'),
      startTs: intParam(q.start_ts, 'start_ts'),
      endTs: intParam(q.end_ts, 'end_ts'),
      beforeDeliveryId: after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      messages: page.map(messageView),
      next: rows.length > limit && last ? encodeCursor('m', last.delivery_id) : '',
    };
  }

  /** 404 for an unknown person, as on every per-person route. */
  async ofCustomer(
    workspace: Workspace,
    idType: IdType,
    value: string,
    q: MessageQuery & { start?: string | undefined },
    limit: number,
  ): Promise<{ messages: Array<Record<string, unknown>>; next: string }> {
    const person = await this.people.resolve(workspace, idType, value);
    return this.list(workspace, q, limit, Number(person.pid));
  }
}
