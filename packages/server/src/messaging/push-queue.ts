import { ulid } from '../lib/ulid.js';
import { unixSeconds } from '../lib/clock.js';
import { recordActivities } from '../store/activities/activities.js';
import type { Tx } from '../store/store.js';
import { insertMessage, type MessageRefs } from '../store/messaging/messages.js';
import type { MessagingDeps } from './messaging-deps.js';
import { enqueueOutbox, type OutboxEntry } from '../store/messaging/outbox.js';
import type { CustomPayload } from './providers/provider-types.js';
import { payloadTooLarge } from './providers/payload-size.js';
import {
  renderPushTemplate,
  validatePushTemplate,
  type PushContent,
  type PushTemplate,
} from './templates/push-template.js';
import type { PushDevice, Recipient } from '../store/messaging/recipients.js';
import { buildTemplateContext } from './templates/template-context.js';
import { loadTemplateObjects } from './templates/template-objects.js';
import type { TemplateObjectRow } from '../store/objects/template-objects.js';
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

/** One device's delivery, decided before anything is written. */
export type Planned =
  | { device: PushDevice; deliveryId: string; content: PushContent }
  | { device: PushDevice; deliveryId: string; renderError: string };

/** What rendering decided for each device, before anything is written (`planPush`). */
export interface PushPlan {
  planned: Planned[];
  skipped: QueuedPush['skipped'];
}

/**
 * Renders and queues a push for each device, in the caller's transaction: a `messages` row and an
 * `outbox` row per device, committed with whatever caused the send. Throws `TemplateSyntaxError`
 * before writing anything (answer 400). A render failure for one device (a strict template missing
 * a variable) records that delivery as failed. With nothing to send to (no device, all suppressed)
 * one `undeliverable` message is recorded, so the caller still has a delivery id to return.
 * In phases: `planPush` (check the template, render per device; reads only) then `writePush`.
 */
export async function queuePush(
  deps: MessagingDeps & { renderer: TemplateRenderer },
  trx: Tx,
  input: QueuePushInput,
): Promise<QueuedPush> {
  return writePush(deps, trx, input, await planPush(deps, trx, input));
}

/**
 * The render phase of `queuePush`: reads (template objects) and renders, writes nothing, so a
 * caller may run it outside any write transaction (campaign sends render after the deciding write
 * commits: docs/messaging.md "When a triggered message is rendered") and write the result after.
 */
export async function planPush(
  deps: { renderer: TemplateRenderer },
  db: Tx,
  input: QueuePushInput,
): Promise<PushPlan> {
  validatePushTemplate(deps.renderer, input.template);
  const skipped: QueuedPush['skipped'] = [];
  const planned: Planned[] = [];
  if (input.undeliverableReason !== undefined) return { planned, skipped };
  let objects: TemplateObjectRow[] | undefined;
  for (const device of input.devices) {
    if (device.lastStatus === 'suppressed') {
      skipped.push({ token: device.token, reason: 'suppressed' });
      continue;
    }
    objects ??= await loadTemplateObjects(db, input.workspaceId, input.recipient.pid, input.template);
    planned.push(await render(deps.renderer, input, device, objects));
  }
  return { planned, skipped };
}

/** The write phase of `queuePush`: the messages and outbox rows of a plan, in `trx`. */
export async function writePush(
  deps: MessagingDeps,
  trx: Tx,
  input: QueuePushInput,
  { planned, skipped }: PushPlan,
): Promise<QueuedPush> {
  const now = unixSeconds(deps.clock);
  const records = new DeliveryRecords(trx, input, now);
  if (input.undeliverableReason !== undefined) {
    const deliveryId = await records.undeliverable(input.undeliverableReason);
    return { deliveryId, deliveryIds: [deliveryId], skipped: [] };
  }
  const deliveryIds = await write(
    trx,
    input,
    planned,
    records,
    now,
    Math.max(input.sendAtMs ?? 0, deps.clock.now()),
  );
  if (deliveryIds.length === 0) {
    const reason = input.devices.length === 0 ? 'the person has no devices' : 'every device is suppressed';
    const deliveryId = await records.undeliverable(reason);
    return { deliveryId, deliveryIds: [deliveryId], skipped };
  }
  return { deliveryId: deliveryIds[0]!, deliveryIds, skipped };
}

/** The push as this device would show it, or why it cannot be rendered for it. */
async function render(
  renderer: TemplateRenderer,
  input: QueuePushInput,
  device: PushDevice,
  objects: readonly TemplateObjectRow[],
): Promise<Planned> {
  const deliveryId = ulid();
  const r = input.recipient;
  const context = buildTemplateContext({
    identifiers: r.identifiers,
    attributes: r.attributes,
    ...(input.event ? { event: input.event } : {}),
    ...(input.trigger ? { trigger: input.trigger } : {}),
    device,
    objects,
  });
  try {
    const content = await renderPushTemplate(renderer, input.template, context, input.limits);
    // Checked here, not left to the provider: its refusal would count against the device.
    const tooLarge = payloadTooLarge({
      deliveryId,
      token: device.token,
      platform: device.platform.toLowerCase(),
      content,
      ...(input.customPayload ? { customPayload: input.customPayload } : {}),
    });
    if (tooLarge) return { device, deliveryId, renderError: tooLarge };
    return { device, deliveryId, content };
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    return { device, deliveryId, renderError: err.message };
  }
}

/** A message per planned delivery (failed ones recorded as such) and the outbox rows; their ids. */
async function write(
  trx: Tx,
  input: QueuePushInput,
  planned: readonly Planned[],
  records: DeliveryRecords,
  now: number,
  runAtMs: number,
): Promise<string[]> {
  const retain = input.retainContent !== false;
  const deliveryIds: string[] = [];
  const entries: OutboxEntry[] = [];
  for (const p of planned) {
    deliveryIds.push(p.deliveryId);
    if ('renderError' in p) {
      await records.failed(p.deliveryId, p.renderError, p.device);
      continue;
    }
    const { device, deliveryId, content } = p;
    await insertMessage(trx, {
      ...records.base,
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
      personPid: input.recipient.pid,
      content,
      ...(input.customPayload ? { customPayload: input.customPayload } : {}),
    };
    entries.push({
      workspaceId: input.workspaceId,
      deliveryId,
      kind: 'push',
      payload,
      runAtMs,
      ...(input.draft ? { status: 'draft' as const } : {}),
    });
  }
  await enqueueOutbox(trx, entries, now);
  return deliveryIds;
}

/** Messages that record a push that will not go out (failed to render, undeliverable), with history. */
class DeliveryRecords {
  readonly base;

  constructor(
    private readonly trx: Tx,
    private readonly input: QueuePushInput,
    private readonly now: number,
  ) {
    const r = input.recipient;
    this.base = {
      workspaceId: input.workspaceId,
      personPid: r.pid,
      identifiers: r.identifiers,
      refs: input.refs ?? {},
      createdAt: now,
    };
  }

  failed(deliveryId: string, reason: string, device: PushDevice): Promise<void> {
    return this.record(deliveryId, 'failed_push', reason, device);
  }

  async undeliverable(reason: string): Promise<string> {
    const deliveryId = ulid();
    await this.record(deliveryId, 'undeliverable_push', reason);
    return deliveryId;
  }

  private async record(
    deliveryId: string,
    type: 'failed_push' | 'undeliverable_push',
    reason: string,
    device?: PushDevice,
  ): Promise<void> {
    await insertMessage(this.trx, {
      ...this.base,
      deliveryId,
      recipient: device?.token ?? null,
      deliveryType: device?.platform ?? null,
      title: null,
      body: null,
      metrics: { [type === 'failed_push' ? 'failed' : 'undeliverable']: this.now },
      failureMessage: reason,
    });
    await recordActivities(this.trx, [
      {
        workspaceId: this.input.workspaceId,
        personPid: this.input.recipient.pid,
        identifiers: this.input.recipient.identifiers,
        type,
        data: { delivery_id: deliveryId, delivered: null, opened: null, reason },
        source: 'system',
        timestamp: this.now,
        deliveryId,
        deliveryType: device?.platform ?? null,
      },
    ]);
  }
}
