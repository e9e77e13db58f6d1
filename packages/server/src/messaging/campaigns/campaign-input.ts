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
 * A campaign body (`POST /v1/campaigns`, or `PUT` over `existing`: given fields replace the stored
 * ones) checked as a whole and turned into the stored columns: the name, the type (fixed once
 * created), the trigger (an event name or an existing segment), the filter (segments it names must
 * exist), the template (inline, checked with Liquid, or a transactional message), the delay.
 */
export async function validateCampaign(
  trx: Tx,
  ws: Workspace,
  body: unknown,
  existing: Campaign | undefined,
  deps: {
    renderer: TemplateRenderer;
    transactional: TransactionalService;
    /** ROSTER_WEBHOOK_ALLOW_PRIVATE: a webhook action may name a private address. */
    allowPrivate: boolean;
    newSecret: () => string;
  },
): Promise<CampaignFields> {
  if (!isObject(body)) throw new InvalidInputError('/', 'request body must be a JSON object', 'required');
  const pick = <K extends string>(key: K, current: unknown): unknown => (key in body ? body[key] : current);
  const name = pick('name', existing?.name);
  if (typeof name !== 'string' || name.trim() === '')
    throw new InvalidInputError('/name', 'name is required', 'required');
  if (name.length > MAX_NAME)
    throw new InvalidInputError('/name', `name is longer than ${MAX_NAME} characters`, 'too_long');
  const type = pick('type', existing?.type);
  if (type !== 'triggered' && type !== 'broadcast')
    throw new InvalidInputError('/type', 'type must be triggered or broadcast', 'required');
  if (existing && type !== existing.type)
    throw new InvalidInputError('/type', 'a campaign cannot change its type', 'invalid');

  const rawTrigger = pick('trigger', existing?.trigger ?? null);
  let trigger: CampaignTrigger | null = null;
  if (type === 'triggered') {
    if (!isObject(rawTrigger))
      throw new InvalidInputError(
        '/trigger',
        'a triggered campaign needs trigger {event: name}, {segment_entered: id} or {object_changed: {type_id}}',
        'required',
      );
    const keys = Object.keys(rawTrigger);
    if (keys.length !== 1)
      throw new InvalidInputError(
        '/trigger',
        'trigger takes exactly one of event, segment_entered, object_changed',
      );
    if (keys[0] === 'event') {
      const e = rawTrigger.event;
      if (typeof e !== 'string' || e.trim() === '')
        throw new InvalidInputError('/trigger/event', 'trigger.event must be an event name', 'required');
      trigger = { event: e.trim() };
    } else if (keys[0] === 'segment_entered') {
      const raw = rawTrigger.segment_entered;
      const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
        throw new InvalidInputError(
          '/trigger/segment_entered',
          'trigger.segment_entered must be a segment id',
        );
      if (!(await existingSegmentIds(trx, ws.id, [id])).has(id))
        throw new InvalidInputError('/trigger/segment_entered', `segment ${id} does not exist`, 'not_found');
      trigger = { segment_entered: id };
    } else if (keys[0] === 'object_changed') {
      trigger = { object_changed: await objectTrigger(trx, ws, rawTrigger.object_changed) };
    } else throw new InvalidInputError(`/trigger/${keys[0]}`, `unknown trigger ${keys[0]}`);
  } else if (rawTrigger !== null && rawTrigger !== undefined) {
    throw new InvalidInputError('/trigger', 'a broadcast has no trigger: it is sent through /triggers');
  }

  const rawFilter = pick('filter', existing?.filter ?? null);
  if (rawFilter !== null && rawFilter !== undefined)
    await parseWorkspaceFilter(rawFilter, (ids) => existingSegmentIds(trx, ws.id, ids), '/filter');

  const rawAction = 'action' in body ? body.action : (existing?.action ?? null);
  let action: CampaignAction = { type: 'push' };
  if (rawAction !== null && rawAction !== undefined) {
    if (!isObject(rawAction))
      throw new InvalidInputError('/action', 'action must be {type: "push"} or {type: "webhook", url, …}');
    const kind = rawAction.type ?? 'push';
    if (kind === 'webhook')
      action = parseWebhookAction(rawAction, deps.renderer, {
        allowPrivate: deps.allowPrivate,
        at: '/action',
        secret: existing?.action.type === 'webhook' ? existing.action.secret : deps.newSecret(),
      });
    else if (kind !== 'push')
      throw new InvalidInputError('/action/type', 'action.type must be push or webhook');
  }

  const rawTemplate =
    'template' in body
      ? body.template
      : existing
        ? (existing.template ?? existing.transactionalMessageId)
        : undefined;
  let template: PushTemplate | null = null;
  let transactionalId: number | null = null;
  if (typeof rawTemplate === 'number' || typeof rawTemplate === 'string') {
    const t = await deps.transactional.resolve(trx, ws.id, rawTemplate);
    if (!t) throw new InvalidInputError('/template', 'transactional message not found', 'not_found');
    transactionalId = t.id;
  } else if (action.type === 'push' || (rawTemplate !== undefined && rawTemplate !== null)) {
    // A webhook action needs no template (one given is still checked).
    template = checkTemplate(deps.renderer, parsePushTemplate(rawTemplate, '/template'), '/template');
  }

  const delay = pick('delay_seconds', existing?.delaySeconds ?? 0) ?? 0;
  if (typeof delay !== 'number' || !Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
    throw new InvalidInputError(
      '/delay_seconds',
      `delay_seconds must be an integer from 0 to ${MAX_DELAY_SECONDS}`,
    );
  const active = pick('active', existing?.active ?? true);
  if (typeof active !== 'boolean') throw new InvalidInputError('/active', 'active must be a boolean');

  return {
    name: name.trim(),
    type,
    trigger: trigger ? toJson(trigger) : null,
    trigger_event: trigger && 'event' in trigger ? trigger.event : null,
    trigger_segment_id: trigger && 'segment_entered' in trigger ? trigger.segment_entered : null,
    trigger_object_type: trigger && 'object_changed' in trigger ? trigger.object_changed.type_id : null,
    filter: rawFilter === null || rawFilter === undefined ? null : toJson(rawFilter),
    template: template ? toJson(template) : null,
    transactional_message_id: transactionalId,
    action: action.type === 'webhook' ? toJson(action) : null,
    delay_seconds: delay,
    active: active ? 1 : 0,
  };
}

/** Most attribute names an object trigger may list. */
const MAX_TRIGGER_ATTRIBUTES = 100;

/**
 * `trigger.object_changed`: an existing object type, optional attribute names (the change must
 * touch one), an optional `where` on the object and `relationship` on the recipient's relationship,
 * both in the segment language's `object` condition (checked by parsing that condition).
 */
async function objectTrigger(trx: Tx, ws: Workspace, raw: unknown): Promise<ObjectChangedTrigger> {
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
  if (!(await findObjectType(trx, ws.id, typeId)))
    throw new InvalidInputError(`${at}/type_id`, `object type ${typeId} does not exist`, 'not_found');
  const out: ObjectChangedTrigger = { type_id: typeId };
  if (raw.attributes !== undefined && raw.attributes !== null) {
    const names = raw.attributes;
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
    out.attributes = [...new Set(names as string[])];
  }
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
