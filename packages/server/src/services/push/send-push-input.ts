import { InvalidInputError } from '../../lib/errors.js';
import type { CustomPayload, PushTemplate } from '../../messaging/index.js';
import { parseCustomData } from '../../messaging/templates/template-input.js';
import type { IdentifierMode } from '../../store/workspaces/workspace.js';
import { parseDevice, type DeviceCommand } from '../track/devices.js';
import { explicitRef, type PersonRef } from '../track/identifiers.js';

/**
 * `POST /v1/send/push` parsed (docs/messaging.md "`POST /v1/send/push`"): whom, which message, what
 * overrides its template and when it goes. The service resolves the message, checks the workspace
 * can push, checks the resulting template's Liquid and how far ahead `send_at` is.
 */
export interface SendPushCommand {
  ref: PersonRef;
  /** An id or trigger name of one of the workspace's transactional messages. */
  message: number | string;
  /** `all`, `last_used` or a device token. */
  to: string;
  /** `title`, `message`, … and `custom_data`: they replace the message's own. */
  overrides: Partial<PushTemplate>;
  customPayload?: CustomPayload;
  /** `message_data`: `{{ trigger.* }}`. */
  trigger?: Record<string, unknown>;
  /** Unix seconds as given (a whole, non-negative number). */
  sendAt?: number;
  sendToUnsubscribed: boolean;
  draft: boolean;
  retain: boolean;
  /** `custom_device`: upserted on the person before sending. */
  device?: DeviceCommand;
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

/** The body, with the workspace's identifier mode (which identifiers it accepts). */
export function parseSendPush(body: unknown, mode: IdentifierMode): SendPushCommand {
  if (!isObject(body)) throw new InvalidInputError('body', 'request body must be a JSON object', 'required');
  const ref = identifiersRef(body.identifiers, mode);
  const message = messageRef(body.transactional_message_id);
  const to = body.to === undefined || body.to === null || body.to === '' ? 'all' : body.to;
  if (typeof to !== 'string') throw bad('to', 'to must be "all", "last_used" or a device token');
  return {
    ref,
    message,
    to,
    overrides: overridesOf(body),
    ...customPayloadOf(body.custom_payload),
    ...triggerOf(body.message_data),
    ...sendAtOf(body.send_at),
    sendToUnsubscribed: optBool(body, 'send_to_unsubscribed', true),
    draft: optBool(body, 'queue_draft', false),
    retain: !optBool(body, 'disable_message_retention', false),
    ...(body.custom_device !== undefined && body.custom_device !== null
      ? { device: parseDevice(body.custom_device, ref, 'token') }
      : {}),
  };
}

/**
 * `identifiers`: exactly one of id / email / cio_id (docs/messaging.md "`POST /v1/send/push`", step
 * 1).
 */
function identifiersRef(raw: unknown, mode: IdentifierMode): PersonRef {
  const message = 'identifiers must contain exactly one of id, email or cio_id';
  if (!isObject(raw)) throw new InvalidInputError('identifiers', message, 'required');
  const keys = Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '');
  if (keys.length !== 1 || !['id', 'email', 'cio_id'].includes(keys[0]!))
    throw new InvalidInputError('identifiers', message, 'invalid');
  return explicitRef({ [keys[0]!]: raw[keys[0]!] }, 'identifiers', mode);
}

/** `transactional_message_id`: required; what is neither a number nor a name matches no message. */
function messageRef(raw: unknown): number | string {
  if (raw === undefined || raw === null || raw === '')
    throw new InvalidInputError(
      'transactional_message_id',
      'transactional_message_id is required',
      'required',
    );
  if (typeof raw !== 'number' && typeof raw !== 'string')
    throw new InvalidInputError('transactional_message_id', 'transactional message not found', 'not_found');
  return raw;
}

function overridesOf(body: Record<string, unknown>): Partial<PushTemplate> {
  const out: Partial<PushTemplate> = {};
  for (const key of ['title', 'message', 'image_url', 'link', 'sound'] as const) {
    const v = optString(body, key);
    if (v !== undefined) out[key] = v;
  }
  const customData = parseCustomData(body.custom_data, 'custom_data');
  if (customData) out.custom_data = customData;
  return out;
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

function sendAtOf(s: unknown): { sendAt?: number } {
  if (s === undefined || s === null) return {};
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0)
    throw bad('send_at', 'send_at must be a unix timestamp');
  return { sendAt: s };
}
