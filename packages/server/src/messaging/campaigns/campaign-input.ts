import { InvalidInputError } from '../../lib/errors.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import type { CampaignFields } from '../../store/campaigns/campaigns.js';
import { existingSegmentIds } from '../../store/segments/segments-read.js';
import { toJson, type Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { PushTemplate } from '../templates/push-template.js';
import { checkTemplate, parsePushTemplate } from '../templates/template-input.js';
import type { TemplateRenderer } from '../templates/template-render.js';
import type { Campaign, CampaignTrigger, ObjectChangedTrigger } from './campaign.js';
import { findObjectType } from '../../store/objects/object-types.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { TransactionalService } from './transactional.js';
import { parseWebhookAction, type CampaignAction } from './webhook-action.js';

/** Longest `delay_seconds`: 90 days, the same horizon as `send_at`. */
export const MAX_DELAY_SECONDS = 90 * 86_400;
const MAX_NAME = 255;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A campaign body (`POST /v1/campaigns`, `PUT /v1/campaigns/:id`) with each given field checked on
 * its own; `undefined` where the body leaves a field out (an update keeps the stored value). What
 * needs the workspace (segments and object types that must exist, Liquid, transactional messages)
 * or the whole campaign (a trigger only on a triggered campaign) is checked by `validateCampaign`.
 */
export interface CampaignWrite {
  name?: string;
  type?: 'triggered' | 'broadcast';
  /** null: none. */
  trigger?: CampaignTrigger | null;
  /** A person filter as sent (null: none); its segments are checked against the workspace. */
  filter?: unknown;
  /** Inline fields, or the id or name of a transactional message. */
  template?: PushTemplate | number | string | null;
  /** `{type: "push"}` or a webhook action as sent (its URL and Liquid are checked with the renderer). */
  action?: Record<string, unknown> | null;
  delay_seconds?: number;
  active?: boolean;
}

/** Parses `POST /v1/campaigns` and `PUT /v1/campaigns/:id` bodies. */
export function parseCampaignWrite(body: unknown): CampaignWrite {
  if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
  const out: CampaignWrite = {};
  if (body.name !== undefined) out.name = checkName(body.name);
  if (body.type !== undefined) out.type = checkType(body.type);
  if (body.trigger !== undefined) out.trigger = body.trigger === null ? null : parseTrigger(body.trigger);
  if (body.filter !== undefined) out.filter = body.filter;
  if (body.action !== undefined) out.action = body.action === null ? null : parseActionKind(body.action);
  if (body.template !== undefined) out.template = parseTemplateRef(body.template);
  if (body.delay_seconds !== undefined) out.delay_seconds = checkDelay(body.delay_seconds ?? 0);
  if (body.active !== undefined) out.active = checkActive(body.active);
  return out;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '')
    throw new InvalidInputError('/name', 'name is required', 'required');
  if (name.length > MAX_NAME)
    throw new InvalidInputError('/name', `name is longer than ${MAX_NAME} characters`, 'too_long');
  return name;
}

function checkType(type: unknown): 'triggered' | 'broadcast' {
  if (type !== 'triggered' && type !== 'broadcast')
    throw new InvalidInputError('/type', 'type must be triggered or broadcast', 'required');
  return type;
}

function checkDelay(delay: unknown): number {
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
    throw new InvalidInputError(
      '/delay_seconds',
      `delay_seconds must be an integer from 0 to ${MAX_DELAY_SECONDS}`,
    );
  return delay;
}

function checkActive(active: unknown): boolean {
  if (typeof active !== 'boolean') throw new InvalidInputError('/active', 'active must be a boolean');
  return active;
}

const TRIGGER_REQUIRED =
  'a triggered campaign needs trigger {event: name}, {segment_entered: id} or {object_changed: {type_id}}';

/** `{event}`, `{segment_entered}` or `{object_changed}`: exactly one. */
function parseTrigger(raw: unknown): CampaignTrigger {
  if (!isObject(raw)) throw new InvalidInputError('/trigger', TRIGGER_REQUIRED, 'required');
  const keys = Object.keys(raw);
  if (keys.length !== 1)
    throw new InvalidInputError(
      '/trigger',
      'trigger takes exactly one of event, segment_entered, object_changed',
    );
  if (keys[0] === 'event') {
    const e = raw.event;
    if (typeof e !== 'string' || e.trim() === '')
      throw new InvalidInputError('/trigger/event', 'trigger.event must be an event name', 'required');
    return { event: e.trim() };
  }
  if (keys[0] === 'segment_entered') {
    const given = raw.segment_entered;
    const id = typeof given === 'string' && /^\d+$/.test(given) ? Number(given) : given;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
      throw new InvalidInputError('/trigger/segment_entered', 'trigger.segment_entered must be a segment id');
    return { segment_entered: id };
  }
  if (keys[0] === 'object_changed') return { object_changed: parseObjectTrigger(raw.object_changed) };
  throw new InvalidInputError(`/trigger/${keys[0]}`, `unknown trigger ${keys[0]}`);
}

/** `action`: an object whose `type` (default push) is push or webhook. */
function parseActionKind(raw: unknown): Record<string, unknown> {
  if (!isObject(raw))
    throw new InvalidInputError('/action', 'action must be {type: "push"} or {type: "webhook", url, …}');
  const kind = raw.type ?? 'push';
  if (kind !== 'push' && kind !== 'webhook')
    throw new InvalidInputError('/action/type', 'action.type must be push or webhook');
  return raw;
}

/** `template`: inline fields (checked here, their Liquid by the service) or a transactional message. */
function parseTemplateRef(raw: unknown): PushTemplate | number | string | null {
  if (typeof raw === 'number' || typeof raw === 'string' || raw === null) return raw;
  return parsePushTemplate(raw, '/template');
}

/** Most attribute names an object trigger may list. */
const MAX_TRIGGER_ATTRIBUTES = 100;

/**
 * `trigger.object_changed`: an object type id, optional attribute names (the change must touch
 * one), an optional `where` on the object and `relationship` on the recipient's relationship, both
 * in the segment language's `object` condition (checked by parsing that condition). That the type
 * exists is the service's check.
 */
function parseObjectTrigger(raw: unknown): ObjectChangedTrigger {
  const at = '/trigger/object_changed';
  if (!isObject(raw))
    throw new InvalidInputError(
      at,
      'object_changed must be an object {type_id, attributes?, where?, relationship?}',
    );
  for (const key of Object.keys(raw))
    if (!['type_id', 'attributes', 'where', 'relationship'].includes(key))
      throw new InvalidInputError(`${at}/${key.slice(0, 40)}`, `unknown field ${key.slice(0, 40)}`);
  const typeId = typeof raw.type_id === 'number' ? String(raw.type_id) : raw.type_id;
  if (typeof typeId !== 'string' || !/^[1-9][0-9]{0,8}$/.test(typeId))
    throw new InvalidInputError(`${at}/type_id`, 'type_id must be an object type id such as "1"', 'required');
  const out: ObjectChangedTrigger = { type_id: typeId };
  if (raw.attributes !== undefined && raw.attributes !== null)
    out.attributes = triggerAttributes(raw.attributes, at);
  const condition: Record<string, unknown> = { type_id: typeId };
  for (const k of ['where', 'relationship'] as const)
    if (raw[k] !== undefined && raw[k] !== null) condition[k] = out[k] = raw[k];
  try {
    parseFilter({ object: condition }, at);
  } catch (err) {
    if (err instanceof InvalidInputError)
      throw new InvalidInputError(err.field.replace(`${at}/object`, at), err.message, err.reason);
    throw err;
  }
  return out;
}

function triggerAttributes(names: unknown, at: string): string[] {
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.length > MAX_TRIGGER_ATTRIBUTES ||
    !names.every((n) => typeof n === 'string' && n !== '' && Buffer.byteLength(n) <= 150)
  )
    throw new InvalidInputError(
      `${at}/attributes`,
      `attributes must be 1 to ${MAX_TRIGGER_ATTRIBUTES} attribute names (each at most 150 bytes)`,
    );
  return [...new Set(names as string[])];
}

/** What `validateCampaign` checks with. */
export interface CampaignInputDeps {
  renderer: TemplateRenderer;
  transactional: TransactionalService;
  /** ROSTER_WEBHOOK_ALLOW_PRIVATE: a webhook action may name a private address. */
  allowPrivate: boolean;
  newSecret: () => string;
}

/**
 * A parsed campaign write (over `existing` for `PUT`: given fields replace the stored ones) checked
 * as a whole and turned into the stored columns: the name, the type (fixed once created), the
 * trigger (an event name, an existing segment or object type), the filter (segments it names must
 * exist), the action, the template (inline, checked with Liquid, or a transactional message), the
 * delay.
 */
export async function validateCampaign(
  trx: Tx,
  ws: Workspace,
  write: CampaignWrite,
  existing: Campaign | undefined,
  deps: CampaignInputDeps,
): Promise<CampaignFields> {
  const name = checkName(write.name ?? existing?.name);
  const type = checkType(write.type ?? existing?.type);
  if (existing && type !== existing.type)
    throw new InvalidInputError('/type', 'a campaign cannot change its type', 'invalid');
  const trigger = await checkTrigger(trx, ws, type, given(write.trigger, existing?.trigger ?? null));
  const filter = given(write.filter, existing?.filter ?? null);
  if (filter !== null && filter !== undefined)
    await parseWorkspaceFilter(filter, (ids) => existingSegmentIds(trx, ws.id, ids), '/filter');
  const action = checkAction(given(write.action, existing?.action ?? null), existing, deps);
  const template = await checkCampaignTemplate(trx, ws, action, write, existing, deps);
  const delay = write.delay_seconds ?? existing?.delaySeconds ?? 0;
  const active = write.active ?? existing?.active ?? true;
  return {
    name: name.trim(),
    type,
    trigger: trigger ? toJson(trigger) : null,
    trigger_event: trigger && 'event' in trigger ? trigger.event : null,
    trigger_segment_id: trigger && 'segment_entered' in trigger ? trigger.segment_entered : null,
    trigger_object_type: trigger && 'object_changed' in trigger ? trigger.object_changed.type_id : null,
    filter: filter === null || filter === undefined ? null : toJson(filter),
    template: template.inline ? toJson(template.inline) : null,
    transactional_message_id: template.transactionalId,
    action: action.type === 'webhook' ? toJson(action) : null,
    delay_seconds: delay,
    active: active ? 1 : 0,
  };
}

/** The write's value where it gives one, else the stored one. */
function given<T, S>(value: T | undefined, stored: S): T | S {
  return value !== undefined ? value : stored;
}

/** A triggered campaign needs a trigger whose segment or object type exists; a broadcast has none. */
async function checkTrigger(
  trx: Tx,
  ws: Workspace,
  type: 'triggered' | 'broadcast',
  trigger: CampaignTrigger | null,
): Promise<CampaignTrigger | null> {
  if (type !== 'triggered') {
    if (trigger !== null)
      throw new InvalidInputError('/trigger', 'a broadcast has no trigger: it is sent through /triggers');
    return null;
  }
  if (trigger === null) throw new InvalidInputError('/trigger', TRIGGER_REQUIRED, 'required');
  if ('segment_entered' in trigger) {
    const id = trigger.segment_entered;
    if (!(await existingSegmentIds(trx, ws.id, [id])).has(id))
      throw new InvalidInputError('/trigger/segment_entered', `segment ${id} does not exist`, 'not_found');
  } else if ('object_changed' in trigger) {
    const typeId = trigger.object_changed.type_id;
    if (!(await findObjectType(trx, ws.id, typeId)))
      throw new InvalidInputError(
        '/trigger/object_changed/type_id',
        `object type ${typeId} does not exist`,
        'not_found',
      );
  }
  return trigger;
}

/** A push (the default), or a webhook action checked with the renderer, keeping its stored secret. */
function checkAction(
  raw: Record<string, unknown> | CampaignAction | null,
  existing: Campaign | undefined,
  deps: CampaignInputDeps,
): CampaignAction {
  if (raw === null || (raw.type ?? 'push') !== 'webhook') return { type: 'push' };
  return parseWebhookAction(raw, deps.renderer, {
    allowPrivate: deps.allowPrivate,
    at: '/action',
    secret: existing?.action.type === 'webhook' ? existing.action.secret : deps.newSecret(),
  });
}

/** A transactional message that must exist, or inline fields whose Liquid must parse. */
async function checkCampaignTemplate(
  trx: Tx,
  ws: Workspace,
  action: CampaignAction,
  write: CampaignWrite,
  existing: Campaign | undefined,
  deps: CampaignInputDeps,
): Promise<{ inline: PushTemplate | null; transactionalId: number | null }> {
  const raw =
    write.template !== undefined
      ? write.template
      : existing
        ? (existing.template ?? existing.transactionalMessageId)
        : undefined;
  if (typeof raw === 'number' || typeof raw === 'string') {
    const t = await deps.transactional.resolve(trx, ws.id, raw);
    if (!t) throw new InvalidInputError('/template', 'transactional message not found', 'not_found');
    return { inline: null, transactionalId: t.id };
  }
  // A webhook action needs no template (one given is still checked).
  if (action.type !== 'push' && (raw === undefined || raw === null))
    return { inline: null, transactionalId: null };
  const template = raw ?? parsePushTemplate(raw, '/template');
  return { inline: checkTemplate(deps.renderer, template, '/template'), transactionalId: null };
}
