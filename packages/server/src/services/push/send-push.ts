import { ulid } from '../../lib/ulid.js';
import { unixSeconds, type Clock } from '../../lib/clock.js';
import {
  TemplateSyntaxError,
  type CustomPayload,
  type MessagingService,
  type PushTemplate,
  type TemplateRenderer,
} from '../../messaging/index.js';
import { listPushProviders } from '../../store/messaging/push-providers.js';
import { loadRecipient, selectPushDevices } from '../../store/messaging/recipients.js';
import { insertMessage } from '../../store/messaging/messages.js';
import type { Store, Tx } from '../../store/store.js';
import { findPerson } from '../../store/track/people.js';
import { ForbiddenError, InvalidInputError } from '../../lib/errors.js';
import { addDevice, deviceLockKeys, parseDevice } from '../track/devices.js';
import { explicitRef, refLockKey, type PersonRef } from '../track/identifiers.js';
import type { TrackService } from '../track/track-service.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { checkTemplate, parseCustomData } from '../../messaging/templates/template-input.js';
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(field: string, message: string): InvalidInputError {
  return new InvalidInputError(field, message, 'invalid');
}

function optString(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(key, `${key} must be a string`);
  return v;
}

function optBool(b: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = b[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw bad(key, `${key} must be a boolean`);
  return v;
}

/**
 * `identifiers`: exactly one of id / email / cio_id (docs/messaging.md "`POST /v1/send/push`", step
 * 1).
 */
function identifiersRef(raw: unknown, ws: Workspace): PersonRef {
  const message = 'identifiers must contain exactly one of id, email or cio_id';
  if (!isObject(raw)) throw new InvalidInputError('identifiers', message, 'required');
  const keys = Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '');
  if (keys.length !== 1 || !['id', 'email', 'cio_id'].includes(keys[0]!))
    throw new InvalidInputError('identifiers', message, 'invalid');
  return explicitRef({ [keys[0]!]: raw[keys[0]!] }, 'identifiers', ws.identifierMode);
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
  async send(ws: Workspace, body: unknown): Promise<SendPushAnswer> {
    const answer = await this.queue(ws, body);
    this.onQueued();
    return answer;
  }

  /**
   * In phases: who and which message (refused before anything else is looked at), the workspace
   * can push, what to send and when, then one Track transaction that writes it.
   */
  private async queue(ws: Workspace, body: unknown): Promise<SendPushAnswer> {
    if (!isObject(body))
      throw new InvalidInputError('body', 'request body must be a JSON object', 'required');
    const ref = identifiersRef(body.identifiers, ws);
    const tm = await this.message(ws, body.transactional_message_id);
    if ((await listPushProviders(this.store.db, ws.id)).length === 0) throw new PushNotEnabledError();
    const to = body.to === undefined || body.to === null || body.to === '' ? 'all' : body.to;
    if (typeof to !== 'string') throw bad('to', 'to must be "all", "last_used" or a device token');
    const content = parseContent(body, tm.template, this.messaging.renderer);
    const now = unixSeconds(this.clock);
    const send: PushSend = {
      ref,
      to,
      refs: { transactionalMessageId: String(tm.id) },
      ...content,
      ...parseDelivery(body, now),
      ...(body.custom_device !== undefined && body.custom_device !== null
        ? { device: parseDevice(body.custom_device, ref, 'token') }
        : {}),
    };
    const deliveryId = await this.write(ws, send, now);
    return { delivery_id: deliveryId, queued_at: now, ...(send.sendAt ? { send_at: send.sendAt } : {}) };
  }

  /** `transactional_message_id`: an id or trigger name of one of the workspace's messages. */
  private async message(ws: Workspace, tmRef: unknown) {
    if (tmRef === undefined || tmRef === null || tmRef === '')
      throw new InvalidInputError(
        'transactional_message_id',
        'transactional_message_id is required',
        'required',
      );
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
  device?: ReturnType<typeof parseDevice>;
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

/**
 * `title`, `message`, … and `custom_data` override the template, whose Liquid is then checked;
 * `custom_payload` and `message_data`.
 */
function parseContent(
  body: Record<string, unknown>,
  base: PushTemplate,
  renderer: TemplateRenderer,
): PushContent {
  const template: PushTemplate = { ...base };
  for (const key of ['title', 'message', 'image_url', 'link', 'sound'] as const) {
    const v = optString(body, key);
    if (v !== undefined) template[key] = v;
  }
  const customData = parseCustomData(body.custom_data, 'custom_data');
  if (customData) template.custom_data = customData;
  checkTemplate(renderer, template);
  return { template, ...customPayloadOf(body.custom_payload), ...triggerOf(body.message_data) };
}

function customPayloadOf(cp: unknown): { customPayload?: CustomPayload } {
  if (cp === undefined || cp === null) return {};
  if (!isObject(cp)) throw bad('custom_payload', 'custom_payload must be an object {ios?, android?}');
  for (const k of Object.keys(cp)) {
    if (k !== 'ios' && k !== 'android')
      throw bad(`custom_payload.${k}`, `custom_payload.${k} is not ios or android`);
    if (!isObject(cp[k])) throw bad(`custom_payload.${k}`, `custom_payload.${k} must be an object`);
  }
  return { customPayload: cp as CustomPayload };
}

function triggerOf(data: unknown): { trigger?: Record<string, unknown> } {
  if (data === undefined || data === null) return {};
  if (!isObject(data)) throw bad('message_data', 'message_data must be an object');
  return { trigger: data };
}

/** `send_at` (at most 90 days ahead), `send_to_unsubscribed`, `queue_draft`, `disable_message_retention`. */
function parseDelivery(body: Record<string, unknown>, now: number): PushDelivery {
  let sendAt: number | undefined;
  if (body.send_at !== undefined && body.send_at !== null) {
    const s = body.send_at;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0)
      throw bad('send_at', 'send_at must be a unix timestamp');
    if (s > now + MAX_SEND_AHEAD_S) throw bad('send_at', 'send_at can be at most 90 days in the future');
    if (s > now) sendAt = s;
  }
  return {
    ...(sendAt ? { sendAt } : {}),
    sendToUnsubscribed: optBool(body, 'send_to_unsubscribed', true),
    draft: optBool(body, 'queue_draft', false),
    retain: !optBool(body, 'disable_message_retention', false),
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
