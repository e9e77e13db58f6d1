import { ulid } from '../../lib/ulid.js';
import { unixSeconds, type Clock } from '../../lib/clock.js';
import {
  TemplateSyntaxError,
  type CustomPayload,
  type MessagingService,
  type PushTemplate,
} from '../../messaging/index.js';
import { listPushProviders } from '../../store/messaging/push-providers.js';
import { loadRecipient, selectPushDevices } from '../../store/messaging/recipients.js';
import { insertMessage } from '../../store/messaging/messages.js';
import type { Store, Tx } from '../../store/store.js';
import { findPerson } from '../../store/track/people.js';
import { ForbiddenError, InvalidInputError } from '../../lib/errors.js';
import { addDevice, deviceLockKeys, type DeviceCommand } from '../track/devices.js';
import { refLockKey, type PersonRef } from '../track/identifiers.js';
import type { TrackService } from '../track/track-service.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { checkTemplate } from '../../messaging/templates/template-input.js';
import type { SendPushCommand } from './send-push-input.js';
import type { TransactionalService } from '../../messaging/campaigns/transactional.js';

/** `send_at` may be at most this far ahead (Customer.io: 90 days). */
export const MAX_SEND_AHEAD_S = 90 * 86_400;

export interface SendPushAnswer {
  delivery_id: string;
  queued_at: number;
  send_at?: number;
}

/**
 * `/v1/send/push` when the workspace has no push provider: forbidden
 * (docs/messaging.md "`POST /v1/send/push`", step 2).
 */
export class PushNotEnabledError extends ForbiddenError {
  constructor() {
    super('', 'Push messaging is not enabled for your workspace.', 'push_disabled');
  }
}

/**
 * `POST /v1/send/push` (docs/messaging.md "`POST /v1/send/push`"): validate, resolve the template,
 * upsert `custom_device` through the Track device write (moves, activities and segments as for any
 * device write), pick the devices `to` names, and queue — all in one transaction, answered once it
 * commits.
 */
export class SendPushService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly track: TrackService,
    private readonly messaging: MessagingService,
    private readonly transactional: TransactionalService,
    /** After a send is queued: wakes the delivery worker (`MessagingRuntime.nudge`, wired in `createServices`). */
    private readonly onQueued: () => void = () => {},
  ) {}

  /** `POST /v1/send/push`: queues the push, then wakes the delivery worker. */
  async send(ws: Workspace, command: SendPushCommand): Promise<SendPushAnswer> {
    const answer = await this.queue(ws, command);
    this.onQueued();
    return answer;
  }

  /**
   * In phases: which message, the workspace can push, what to send and when, then one Track
   * transaction that writes it.
   */
  private async queue(ws: Workspace, command: SendPushCommand): Promise<SendPushAnswer> {
    const tm = await this.message(ws, command.message);
    if ((await listPushProviders(this.store.db, ws.id)).length === 0) throw new PushNotEnabledError();
    const template = checkTemplate(this.messaging.renderer, { ...tm.template, ...command.overrides });
    const now = unixSeconds(this.clock);
    const send: PushSend = {
      ref: command.ref,
      to: command.to,
      refs: { transactionalMessageId: String(tm.id) },
      template,
      ...(command.customPayload ? { customPayload: command.customPayload } : {}),
      ...(command.trigger ? { trigger: command.trigger } : {}),
      ...delivery(command, now),
      ...(command.device ? { device: command.device } : {}),
    };
    const deliveryId = await this.write(ws, send, now);
    return { delivery_id: deliveryId, queued_at: now, ...(send.sendAt ? { send_at: send.sendAt } : {}) };
  }

  /** `transactional_message_id`: an id or trigger name of one of the workspace's messages. */
  private async message(ws: Workspace, tmRef: number | string) {
    const tm = await this.transactional.resolve(this.store.db, ws.id, tmRef);
    if (!tm)
      throw new InvalidInputError('transactional_message_id', 'transactional message not found', 'not_found');
    return tm;
  }

  /**
   * The one transaction: the `custom_device` upsert, then the person's messages (an undeliverable
   * record when nobody has these identifiers). Answers the delivery id to return.
   */
  private async write(ws: Workspace, send: PushSend, now: number): Promise<string> {
    const { ref, device } = send;
    let deliveryId = '';
    await this.track.execute(ws, 'app_api', {
      lockKeys: device ? deviceLockKeys(ws.id, ref, device.token) : [refLockKey(ws.id, ref)],
      run: async (trx, ctx, fx) => {
        if (device) await addDevice(trx, ctx, device, fx);
        const person = await findPerson(trx, ws.id, ref);
        deliveryId = person
          ? await this.queueFor(trx, ws, person.pid, send)
          : await recordNoPerson(trx, ws, send, now);
      },
    });
    return deliveryId;
  }

  /** Queues the push to the devices `to` names (or records why it cannot go). */
  private async queueFor(trx: Tx, ws: Workspace, pid: number, send: PushSend): Promise<string> {
    const recipient = (await loadRecipient(trx, ws.id, pid))!;
    const devices = await selectPushDevices(trx, ws.id, pid, send.to);
    let undeliverableReason: string | undefined;
    if (recipient.unsubscribed && !send.sendToUnsubscribed)
      undeliverableReason = 'the person is unsubscribed';
    else if (devices.length === 0 && send.to !== 'all' && send.to !== 'last_used')
      undeliverableReason = `device ${send.to} is not on this profile`;
    try {
      const queued = await this.messaging.queuePush(trx, {
        workspaceId: ws.id,
        recipient,
        devices,
        template: send.template,
        ...(send.trigger ? { trigger: send.trigger } : {}),
        ...(send.customPayload ? { customPayload: send.customPayload } : {}),
        refs: send.refs,
        retainContent: send.retain,
        ...(send.sendAt ? { sendAtMs: send.sendAt * 1000 } : {}),
        draft: send.draft,
        ...(undeliverableReason ? { undeliverableReason } : {}),
      });
      return queued.deliveryId;
    } catch (err) {
      if (err instanceof TemplateSyntaxError)
        throw new InvalidInputError(err.field ?? '', err.message, 'template_syntax');
      throw err;
    }
  }
}

/** A checked `POST /v1/send/push`: whom, what and when, before the transaction that writes it. */
interface PushSend extends PushContent, PushDelivery {
  ref: PersonRef;
  /** `all`, `last_used` or a device token. */
  to: string;
  refs: { transactionalMessageId: string };
  device?: DeviceCommand;
}

/** What the push says: the message's template with the request's overrides, and its data. */
interface PushContent {
  template: PushTemplate;
  customPayload?: CustomPayload;
  trigger?: Record<string, unknown>;
}

/** When and how it is delivered and kept. */
interface PushDelivery {
  /** Unix seconds, only when in the future. */
  sendAt?: number;
  sendToUnsubscribed: boolean;
  draft: boolean;
  retain: boolean;
}

/** `send_at` (at most 90 days ahead; kept only when in the future) and the delivery flags. */
function delivery(command: SendPushCommand, now: number): PushDelivery {
  const s = command.sendAt;
  if (s !== undefined && s > now + MAX_SEND_AHEAD_S)
    throw new InvalidInputError('send_at', 'send_at can be at most 90 days in the future', 'invalid');
  return {
    ...(s !== undefined && s > now ? { sendAt: s } : {}),
    sendToUnsubscribed: command.sendToUnsubscribed,
    draft: command.draft,
    retain: command.retain,
  };
}

/** Nobody has these identifiers: like the asynchronous original, accept and record why not. */
async function recordNoPerson(trx: Tx, ws: Workspace, send: PushSend, now: number): Promise<string> {
  const deliveryId = ulid();
  const { ref } = send;
  const ids = {
    id: ref.kind === 'id' ? ref.value : null,
    email: ref.kind === 'email' ? ref.value : null,
    cio_id: ref.kind === 'cio_id' ? ref.value : null,
  };
  await insertMessage(trx, {
    deliveryId,
    workspaceId: ws.id,
    personPid: null,
    identifiers: ids as never,
    recipient: null,
    deliveryType: null,
    refs: send.refs,
    title: null,
    body: null,
    metrics: { undeliverable: now },
    failureMessage: 'no customer with these identifiers',
    createdAt: now,
  });
  return deliveryId;
}
