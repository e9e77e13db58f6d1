import { ACTION_HEADER_NAME, MAX_ACTION_HEADERS, reservedActionHeader } from '@roster/protocol';
import { InvalidInputError } from '../../lib/errors.js';
import { ulid } from '../../lib/ulid.js';
import { insertMessage, type MessageRefs } from '../../store/messaging/messages.js';
import type { Recipient } from '../../store/messaging/recipients.js';
import type { Tx } from '../../store/store.js';
import { enqueueCampaignWebhook } from '../../store/webhooks/deliveries.js';
import { buildTemplateContext, type TemplateContext } from '../templates/template-context.js';
import { loadTemplateObjects } from '../templates/template-objects.js';
import { TemplateRenderError, TemplateSyntaxError } from '../templates/template-errors.js';
import type { TemplateRenderer } from '../templates/template-render.js';
import { refuseWebhookUrl } from '../webhooks/webhook-http.js';

/**
 * A campaign's webhook action (docs/webhooks.md "Campaign webhook actions"): one HTTP request per
 * person to a fixed URL, with Liquid-rendered header values and a Liquid body that must render to
 * JSON. `secret` signs the requests as subscriptions' deliveries are signed.
 */
export interface WebhookAction {
  type: 'webhook';
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body: string;
  secret: string;
}

export type CampaignAction = { type: 'push' } | WebhookAction;

/** Characters of one header value's Liquid source, and of its rendered value. */
export const MAX_HEADER_CHARS = 1_000;
/** Characters of the body's Liquid source. */
export const MAX_BODY_SOURCE_CHARS = 20_000;
/** Characters of the rendered body. */
export const MAX_BODY_CHARS = 100_000;
const METHODS = new Set(['POST', 'PUT', 'PATCH']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a webhook action as written (`at` is its JSON pointer): the URL (http(s), no credentials,
 * no private address unless the operator allows them), the method, the headers (names, the ones
 * Roster or the connection sets refused, at most 20, each value Liquid that parses) and the body
 * (Liquid that parses). `secret` is kept from `previous` or made by `newSecret`.
 */
export function parseWebhookAction(
  raw: unknown,
  renderer: TemplateRenderer,
  o: { allowPrivate: boolean; at: string; secret: string },
): WebhookAction {
  const at = o.at;
  if (!isObject(raw)) throw new InvalidInputError(at, 'action must be an object');
  const url = typeof raw.url === 'string' ? raw.url.trim() : '';
  if (url === '') throw new InvalidInputError(`${at}/url`, 'action.url is required', 'required');
  if (url.length > 2048)
    throw new InvalidInputError(`${at}/url`, 'action.url is longer than 2048 characters');
  const refused = refuseWebhookUrl(url, o.allowPrivate);
  if (refused) throw new InvalidInputError(`${at}/url`, `action.url is refused: ${refused}`);
  const method = raw.method === undefined || raw.method === null ? 'POST' : raw.method;
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase()))
    throw new InvalidInputError(`${at}/method`, 'action.method must be POST, PUT or PATCH');
  const headers: Record<string, string> = {};
  if (raw.headers !== undefined && raw.headers !== null) {
    if (!isObject(raw.headers))
      throw new InvalidInputError(`${at}/headers`, 'action.headers must be an object of name → value');
    const entries = Object.entries(raw.headers);
    if (entries.length > MAX_ACTION_HEADERS)
      throw new InvalidInputError(
        `${at}/headers`,
        `action.headers has more than ${MAX_ACTION_HEADERS} headers`,
      );
    const seen = new Set<string>();
    for (const [name, value] of entries) {
      const lower = name.toLowerCase();
      if (!ACTION_HEADER_NAME.test(name))
        throw new InvalidInputError(
          `${at}/headers`,
          `action.headers: ${JSON.stringify(name)} is not a header name`,
        );
      if (reservedActionHeader(name))
        throw new InvalidInputError(
          `${at}/headers`,
          `action.headers: ${name} is set by the connection or by Roster and cannot be given`,
        );
      if (seen.has(lower))
        throw new InvalidInputError(`${at}/headers`, `action.headers: ${name} is given twice`);
      seen.add(lower);
      if (typeof value !== 'string')
        throw new InvalidInputError(`${at}/headers`, `action.headers.${name} must be a string`);
      if (value.length > MAX_HEADER_CHARS)
        throw new InvalidInputError(
          `${at}/headers`,
          `action.headers.${name} is longer than ${MAX_HEADER_CHARS} characters`,
        );
      checkLiquid(renderer, value, `${at}/headers`, `headers.${name}`);
      headers[name] = value;
    }
  }
  if (typeof raw.body !== 'string' || raw.body === '')
    throw new InvalidInputError(
      `${at}/body`,
      'action.body (Liquid that renders to JSON) is required',
      'required',
    );
  if (raw.body.length > MAX_BODY_SOURCE_CHARS)
    throw new InvalidInputError(
      `${at}/body`,
      `action.body is longer than ${MAX_BODY_SOURCE_CHARS} characters`,
    );
  checkLiquid(renderer, raw.body, `${at}/body`, 'body');
  return {
    type: 'webhook',
    url,
    method: method.toUpperCase() as WebhookAction['method'],
    headers,
    body: raw.body,
    secret: o.secret,
  };
}

function checkLiquid(renderer: TemplateRenderer, source: string, pointer: string, field: string): void {
  try {
    renderer.parse(source, field);
  } catch (err) {
    if (err instanceof TemplateSyntaxError)
      throw new InvalidInputError(pointer, `action.${field} is not valid Liquid: ${err.message}`);
    throw err;
  }
}

/** A webhook action rendered for one person: the request, or why it cannot be sent. */
export interface RenderedWebhook {
  url: string;
  method: WebhookAction['method'];
  headers: Record<string, string>;
  /** The rendered body text (as rendered, also when it is not JSON). */
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  /** Why this render cannot be sent (not JSON, a header value with a line break, a render error). */
  error: string | null;
}

/** Renders the header values and the body; never throws for what the template does. */
export async function renderWebhookAction(
  renderer: TemplateRenderer,
  action: WebhookAction,
  context: TemplateContext,
): Promise<RenderedWebhook> {
  const out: RenderedWebhook = { url: action.url, method: action.method, headers: {}, body: '', error: null };
  try {
    for (const [name, source] of Object.entries(action.headers)) {
      const value = (await renderer.render({ source, context, field: `headers.${name}` })).trim();
      if (/[\r\n\0]/.test(value)) {
        out.error = `header ${name} rendered a line break or NUL, which a header cannot carry`;
        return out;
      }
      if (value.length > MAX_HEADER_CHARS) {
        out.error = `header ${name} rendered longer than ${MAX_HEADER_CHARS} characters`;
        return out;
      }
      out.headers[name] = value;
    }
    out.body = await renderer.render({
      source: action.body,
      context,
      field: 'body',
      limits: { maxOutputChars: MAX_BODY_CHARS },
    });
  } catch (err) {
    if (!(err instanceof TemplateRenderError) && !(err instanceof TemplateSyntaxError)) throw err;
    out.error = `the template did not render: ${err.message}`;
    return out;
  }
  try {
    out.json = JSON.parse(out.body);
  } catch (err) {
    out.error = `the body did not render to valid JSON: ${(err as Error).message}`;
  }
  return out;
}

/**
 * Records one webhook send in `trx`: a message (type `webhook`, recipient the URL) and, when the
 * render is sendable, a delivery in the webhook outbox for the campaign's subscription (the
 * message becomes `sent` or `failed` with the delivery's outcome). A render that cannot be sent
 * is recorded as a `failed` message with the reason. Returns the message's delivery id.
 */
export async function queueWebhookSend(
  trx: Tx,
  s: {
    workspaceId: number;
    recipient: Recipient;
    rendered: RenderedWebhook;
    subscriptionId: number | undefined;
    refs: MessageRefs;
    sendAtMs: number;
    nowMs: number;
  },
): Promise<string> {
  const deliveryId = ulid();
  const now = Math.floor(s.nowMs / 1000);
  const error =
    s.rendered.error ?? (s.subscriptionId === undefined ? 'the campaign has no webhook endpoint' : null);
  await insertMessage(trx, {
    deliveryId,
    workspaceId: s.workspaceId,
    personPid: s.recipient.pid,
    identifiers: s.recipient.identifiers,
    type: 'webhook',
    recipient: s.rendered.url,
    deliveryType: 'webhook',
    refs: s.refs,
    title: null,
    body: s.rendered.body.slice(0, 10_000),
    ...(error !== null ? { metrics: { failed: now }, failureMessage: error } : {}),
    createdAt: now,
  });
  if (error !== null || s.subscriptionId === undefined) return deliveryId;
  await enqueueCampaignWebhook(trx, {
    workspaceId: s.workspaceId,
    subscriptionId: s.subscriptionId,
    eventId: deliveryId,
    payload: s.rendered.json ?? null,
    request: { method: s.rendered.method, headers: s.rendered.headers, message_id: deliveryId },
    runAtMs: Math.max(s.nowMs, s.sendAtMs),
    nowMs: s.nowMs,
  });
  return deliveryId;
}

/** What a webhook action's Liquid sees: the person, `event`, `trigger`, their related `objects`. */
export async function webhookContext(
  db: Tx,
  workspaceId: number,
  action: WebhookAction,
  recipient: Recipient,
  data: { event?: Record<string, unknown>; trigger?: Record<string, unknown> },
): Promise<TemplateContext> {
  const sources = [action.body, ...Object.values(action.headers)].join('\n');
  return buildTemplateContext({
    identifiers: recipient.identifiers,
    attributes: recipient.attributes,
    ...(data.event ? { event: data.event } : {}),
    ...(data.trigger ? { trigger: data.trigger } : {}),
    device: null,
    objects: await loadTemplateObjects(db, workspaceId, recipient.pid, {
      title: sources,
      message: '',
    }),
  });
}
