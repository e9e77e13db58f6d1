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
import type { Store } from '../../store/store.js';
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

  private async queue(ws: Workspace, body: unknown): Promise<SendPushAnswer> {
    if (!isObject(body))
      throw new InvalidInputError('body', 'request body must be a JSON object', 'required');
    const ref = identifiersRef(body.identifiers, ws);
    const tmRef = body.transactional_message_id;
    if (tmRef === undefined || tmRef === null || tmRef === '')
      throw new InvalidInputError(
        'transactional_message_id',
        'transactional_message_id is required',
        'required',
      );
    const tm = await this.transactional.resolve(this.store.db, ws.id, tmRef);
    if (!tm)
      throw new InvalidInputError('transactional_message_id', 'transactional message not found', 'not_found');
    if ((await listPushProviders(this.store.db, ws.id)).length === 0) throw new PushNotEnabledError();

    const to = body.to === undefined || body.to === null || body.to === '' ? 'all' : body.to;
    if (typeof to !== 'string') throw bad('to', 'to must be "all", "last_used" or a device token');
    const template: PushTemplate = { ...tm.template };
    for (const key of ['title', 'message', 'image_url', 'link', 'sound'] as const) {
      const v = optString(body, key);
      if (v !== undefined) template[key] = v;
    }
    const customData = parseCustomData(body.custom_data, 'custom_data');
    if (customData) template.custom_data = customData;
    checkTemplate(this.messaging.renderer, template);
    let customPayload: CustomPayload | undefined;
    if (body.custom_payload !== undefined && body.custom_payload !== null) {
      const cp = body.custom_payload;
      if (!isObject(cp)) throw bad('custom_payload', 'custom_payload must be an object {ios?, android?}');
      for (const k of Object.keys(cp)) {
        if (k !== 'ios' && k !== 'android')
          throw bad(`custom_payload.${k}`, `custom_payload.${k} is not ios or android`);
        if (!isObject(cp[k])) throw bad(`custom_payload.${k}`, `custom_payload.${k} must be an object`);
      }
      customPayload = cp as CustomPayload;
    }
    let trigger: Record<string, unknown> | undefined;
    if (body.message_data !== undefined && body.message_data !== null) {
      if (!isObject(body.message_data)) throw bad('message_data', 'message_data must be an object');
      trigger = body.message_data;
    }
    const now = unixSeconds(this.clock);
    let sendAt: number | undefined;
    if (body.send_at !== undefined && body.send_at !== null) {
      const s = body.send_at;
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0)
        throw bad('send_at', 'send_at must be a unix timestamp');
      if (s > now + MAX_SEND_AHEAD_S) throw bad('send_at', 'send_at can be at most 90 days in the future');
      if (s > now) sendAt = s;
    }
    const sendToUnsubscribed = optBool(body, 'send_to_unsubscribed', true);
    const draft = optBool(body, 'queue_draft', false);
    const retain = !optBool(body, 'disable_message_retention', false);
    let device: ReturnType<typeof parseDevice> | undefined;
    if (body.custom_device !== undefined && body.custom_device !== null)
      device = parseDevice(body.custom_device, ref, 'token');

    let deliveryId = '';
    await this.track.execute(ws, 'app_api', {
      lockKeys: device ? deviceLockKeys(ws.id, ref, device.token) : [refLockKey(ws.id, ref)],
      run: async (trx, ctx, fx) => {
        if (device) await addDevice(trx, ctx, device, fx);
        const person = await findPerson(trx, ws.id, ref);
        const refs = { transactionalMessageId: String(tm.id) };
        if (!person) {
          // Customer.io documents nothing here; like the asynchronous original, accept and record
          // why not.
          deliveryId = ulid();
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
            refs,
            title: null,
            body: null,
            metrics: { undeliverable: now },
            failureMessage: 'no customer with these identifiers',
            createdAt: now,
          });
          return;
        }
        const recipient = (await loadRecipient(trx, ws.id, person.pid))!;
        const devices = await selectPushDevices(trx, ws.id, person.pid, to);
        let undeliverableReason: string | undefined;
        if (recipient.unsubscribed && !sendToUnsubscribed) undeliverableReason = 'the person is unsubscribed';
        else if (devices.length === 0 && to !== 'all' && to !== 'last_used')
          undeliverableReason = `device ${to} is not on this profile`;
        try {
          const queued = await this.messaging.queuePush(trx, {
            workspaceId: ws.id,
            recipient,
            devices,
            template,
            ...(trigger ? { trigger } : {}),
            ...(customPayload ? { customPayload } : {}),
            refs,
            retainContent: retain,
            ...(sendAt ? { sendAtMs: sendAt * 1000 } : {}),
            draft,
            ...(undeliverableReason ? { undeliverableReason } : {}),
          });
          deliveryId = queued.deliveryId;
        } catch (err) {
          if (err instanceof TemplateSyntaxError)
            throw new InvalidInputError(err.field ?? '', err.message, 'template_syntax');
          throw err;
        }
      },
    });
    return { delivery_id: deliveryId, queued_at: now, ...(sendAt ? { send_at: sendAt } : {}) };
  }
}
