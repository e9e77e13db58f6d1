import { ulid } from '../lib/ulid.js';
import { unixSeconds } from '../lib/clock.js';
import { recordActivities } from '../store/activities/activities.js';
import type { Tx } from '../store/store.js';
import { insertMessage, type MessageRefs } from '../store/messaging/messages.js';
import type { MessagingDeps } from './messaging-deps.js';
import { enqueueOutbox } from '../store/messaging/outbox.js';
import type { CustomPayload } from './providers/provider-types.js';
import {
  renderPushTemplate,
  validatePushTemplate,
  type PushContent,
  type PushTemplate,
} from './templates/push-template.js';
import type { PushDevice, Recipient } from '../store/messaging/recipients.js';
import { buildTemplateContext } from './templates/template-context.js';
import { TemplateRenderError } from './templates/template-errors.js';
import type { TemplateLimits, TemplateRenderer } from './templates/template-render.js';

/** What the outbox keeps for one push: rendered once at queue time, so retries resend the same bytes. */
export interface PushJobPayload {
  token: string;
  platform: string;
  appIdentifier: string;
  personPid: number;
  content: PushContent;
  customPayload?: CustomPayload | null;
}

export interface QueuePushInput {
  workspaceId: number;
  recipient: Recipient;
  /** From `selectPushDevices` (after any `custom_device` upsert). */
  devices: readonly PushDevice[];
  /** The template with the request's overrides (title, message, image_url, …) already applied. */
  template: PushTemplate;
  event?: Record<string, unknown>;
  /** `message_data` / broadcast `data`: `{{trigger.*}}`. */
  trigger?: Record<string, unknown>;
  customPayload?: CustomPayload | null;
  refs?: MessageRefs;
  /** false = `disable_message_retention`: title and body are not kept on the message. */
  retainContent?: boolean;
  /** Unix ms; default now. */
  sendAtMs?: number;
  limits?: Partial<TemplateLimits>;
  /** `queue_draft`: render and record the message (metric `drafted`) but hold it: no outbox row is due. */
  draft?: boolean;
  /**
   * Record one `undeliverable` message with this reason instead of sending (the person is
   * unsubscribed and the send asked not to reach them, or `to` named no device of theirs).
   */
  undeliverableReason?: string;
}

export interface QueuedPush {
  /** The id to answer with: the first device's delivery (or the undeliverable record). */
  deliveryId: string;
  /** One delivery per device queued. */
  deliveryIds: string[];
  skipped: Array<{ token: string; reason: string }>;
}

/**
 * Renders and queues a push for each device, in the caller's transaction: a `messages` row and an
 * `outbox` row per device, committed with whatever caused the send. Throws `TemplateSyntaxError`
 * before writing anything (answer 400). A render failure for one device (a strict template missing
 * a variable) records that delivery as failed. With nothing to send to (no device, all suppressed)
 * one `undeliverable` message is recorded, so the caller still has a delivery id to return.
 */
export async function queuePush(
  deps: MessagingDeps & { renderer: TemplateRenderer },
  trx: Tx,
  input: QueuePushInput,
): Promise<QueuedPush> {
  validatePushTemplate(deps.renderer, input.template);
  const now = unixSeconds(deps.clock);
  const runAtMs = Math.max(input.sendAtMs ?? 0, deps.clock.now());
  const retain = input.retainContent !== false;
  const r = input.recipient;
  const base = {
    workspaceId: input.workspaceId,
    personPid: r.pid,
    identifiers: r.identifiers,
    refs: input.refs ?? {},
    createdAt: now,
  };
  const record = async (
    deliveryId: string,
    type: 'failed_push' | 'undeliverable_push',
    reason: string,
    device?: PushDevice,
  ) => {
    await insertMessage(trx, {
      ...base,
      deliveryId,
      recipient: device?.token ?? null,
      deliveryType: device?.platform ?? null,
      title: null,
      body: null,
      metrics: { [type === 'failed_push' ? 'failed' : 'undeliverable']: now },
      failureMessage: reason,
    });
    await recordActivities(trx, [
      {
        workspaceId: input.workspaceId,
        personPid: r.pid,
        identifiers: r.identifiers,
        type,
        data: { delivery_id: deliveryId, delivered: null, opened: null, reason },
        source: 'system',
        timestamp: now,
        deliveryId,
        deliveryType: device?.platform ?? null,
      },
    ]);
  };

  const deliveryIds: string[] = [];
  const skipped: QueuedPush['skipped'] = [];
  const entries = [];
  if (input.undeliverableReason !== undefined) {
    const deliveryId = ulid();
    await record(deliveryId, 'undeliverable_push', input.undeliverableReason);
    return { deliveryId, deliveryIds: [deliveryId], skipped };
  }
  for (const device of input.devices) {
    if (device.lastStatus === 'suppressed') {
      skipped.push({ token: device.token, reason: 'suppressed' });
      continue;
    }
    const deliveryId = ulid();
    deliveryIds.push(deliveryId);
    const context = buildTemplateContext({
      identifiers: r.identifiers,
      attributes: r.attributes,
      ...(input.event ? { event: input.event } : {}),
      ...(input.trigger ? { trigger: input.trigger } : {}),
      device,
    });
    let content: PushContent;
    try {
      content = await renderPushTemplate(deps.renderer, input.template, context, input.limits);
    } catch (err) {
      if (!(err instanceof TemplateRenderError)) throw err;
      await record(deliveryId, 'failed_push', err.message, device);
      continue;
    }
    await insertMessage(trx, {
      ...base,
      deliveryId,
      recipient: device.token,
      deliveryType: device.platform,
      title: retain ? content.title : null,
      body: retain ? content.body : null,
      ...(input.draft ? { metrics: { drafted: now } } : {}),
    });
    const payload: PushJobPayload = {
      token: device.token,
      platform: device.platform,
      appIdentifier:
        typeof device.attributes.app_identifier === 'string' ? device.attributes.app_identifier : '',
      personPid: r.pid,
      content,
      ...(input.customPayload ? { customPayload: input.customPayload } : {}),
    };
    entries.push({
      workspaceId: input.workspaceId,
      deliveryId,
      kind: 'push' as const,
      payload,
      runAtMs,
      ...(input.draft ? { status: 'draft' as const } : {}),
    });
  }
  await enqueueOutbox(trx, entries, now);
  if (deliveryIds.length === 0) {
    const deliveryId = ulid();
    const reason = input.devices.length === 0 ? 'the person has no devices' : 'every device is suppressed';
    await record(deliveryId, 'undeliverable_push', reason);
    return { deliveryId, deliveryIds: [deliveryId], skipped };
  }
  return { deliveryId: deliveryIds[0]!, deliveryIds, skipped };
}
