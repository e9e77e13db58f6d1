import { InvalidInputError } from '../../lib/errors.js';
import type { PushTemplate } from '../../messaging/index.js';
import { parsePushTemplate } from '../../messaging/templates/template-input.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { parseIdType, type IdType } from '../query/id-type.js';

/** The person a preview or test send renders for, and the event and trigger data it renders with. */
export interface PreviewPerson {
  customerId: string;
  idType: IdType;
  event?: Record<string, unknown>;
  trigger?: Record<string, unknown>;
}

/**
 * `POST /v1/templates/preview`: a template (its fields checked here, its Liquid by the service),
 * the person and one of their devices (`device_token`, else the last used).
 */
export interface TemplatePreview extends PreviewPerson {
  template: PushTemplate;
  /** A device token, or `last_used`. */
  device: string;
}

/** `POST /v1/campaigns/webhook/preview`: a webhook action as sent (the service checks it with the renderer). */
export interface WebhookPreview extends PreviewPerson {
  action: Record<string, unknown>;
}

/** `POST /v1/campaigns/:id/test-send`: the campaign's saved action, or an unsaved edit of it. */
export interface WebhookTestSend extends PreviewPerson {
  action?: Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireBody(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
  return body;
}

export function parseTemplatePreview(body: unknown, ws: Workspace): TemplatePreview {
  const b = requireBody(body);
  const template = parsePushTemplate(b.template, '/template');
  const person = parsePreviewPerson(b, ws);
  const device = typeof b.device_token === 'string' && b.device_token !== '' ? b.device_token : 'last_used';
  return { ...person, template, device };
}

export function parseWebhookPreview(body: unknown, ws: Workspace): WebhookPreview {
  const b = requireBody(body);
  if (!isObject(b.action)) throw new InvalidInputError('/action', 'action must be an object');
  return { ...parsePreviewPerson(b, ws), action: b.action };
}

export function parseWebhookTestSend(body: unknown, ws: Workspace): WebhookTestSend {
  const b = requireBody(body);
  let action: Record<string, unknown> | undefined;
  if (b.action !== undefined && b.action !== null) {
    if (!isObject(b.action)) throw new InvalidInputError('/action', 'action must be an object');
    action = b.action;
  }
  return { ...parsePreviewPerson(b, ws), ...(action ? { action } : {}) };
}

/** `customer_id` (and `id_type`), `event` and `trigger` data. */
function parsePreviewPerson(b: Record<string, unknown>, ws: Workspace): PreviewPerson {
  const customerId = typeof b.customer_id === 'number' ? String(b.customer_id) : b.customer_id;
  if (typeof customerId !== 'string' || customerId === '')
    throw new InvalidInputError('/customer_id', 'customer_id is required', 'required');
  const idType = parseIdType(b.id_type, ws);
  const out: PreviewPerson = { customerId, idType };
  for (const k of ['event', 'trigger'] as const) {
    const v = b[k];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw new InvalidInputError(`/${k}`, `${k} must be an object`);
    out[k] = v;
  }
  return out;
}
