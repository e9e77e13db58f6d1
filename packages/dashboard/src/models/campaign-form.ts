import type {
  AppCampaign,
  CampaignAction,
  CampaignTrigger,
  CampaignWriteBody,
  PushTemplateFields,
} from '@roster/protocol';
import { EVERYONE, problems, toModel, toWire, type Condition, type GroupCondition } from './conditions';

/**
 * A campaign or broadcast as the dashboard's form edits it, and the App API body it becomes
 * (`POST /v1/campaigns`, `PUT /v1/campaigns/:id`; docs/messaging.md "Campaigns").
 */
export type DelayUnit = 'minutes' | 'hours' | 'days';
export type Audience = 'everyone' | 'segment' | 'conditions';

export interface TemplateDraft {
  title: string;
  message: string;
  image_url?: string;
  link?: string;
}

export type WebhookMethod = 'POST' | 'PUT' | 'PATCH';
export const WEBHOOK_METHODS: readonly WebhookMethod[] = ['POST', 'PUT', 'PATCH'];

/** One header row of a webhook action: a name and a Liquid value. */
export interface HeaderRow {
  name: string;
  value: string;
}

/** A campaign's webhook action as the form edits it (docs/webhooks.md "Campaign webhook actions"). */
export interface WebhookDraft {
  url: string;
  method: WebhookMethod;
  /** In the order written; rows with neither a name nor a value are left out when sent. */
  headers: HeaderRow[];
  /** Liquid that must render to JSON. */
  body: string;
}

export interface CampaignDraft {
  name: string;
  type: 'triggered' | 'broadcast';
  /**
   * Triggered campaigns start on an event, or when someone enters a segment; `object` is a trigger
   * on object changes, set through the API: the form keeps it as it is (`objectTrigger`).
   */
  triggerKind: 'event' | 'segment' | 'object';
  triggerEvent: string;
  triggerSegment: number;
  objectTrigger: CampaignTrigger | null;
  audience: Audience;
  audienceSegment: number;
  conditions: GroupCondition;
  /** What it sends: a push (the template below) or a webhook request per person. */
  action: 'push' | 'webhook';
  webhook: WebhookDraft;
  /** A stored transactional template, or the text written here. */
  templateMode: 'stored' | 'inline';
  templateId: number;
  template: TemplateDraft;
  /** Schedule: wait this long after the trigger (0: at once). */
  delayAmount: number;
  delayUnit: DelayUnit;
  active: boolean;
}

const UNIT_SECONDS: Record<DelayUnit, number> = { minutes: 60, hours: 3600, days: 86_400 };
/** The longest delay the server takes (`MAX_DELAY_SECONDS`): 90 days. */
export const MAX_DELAY_SECONDS = 90 * 86_400;

/** Seconds as the largest whole unit: 5400 → 90 minutes, 7200 → 2 hours. */
export function splitDelay(seconds: number): { amount: number; unit: DelayUnit } {
  if (seconds > 0 && seconds % 86_400 === 0) return { amount: seconds / 86_400, unit: 'days' };
  if (seconds > 0 && seconds % 3600 === 0) return { amount: seconds / 3600, unit: 'hours' };
  return { amount: Math.round(seconds / 60), unit: 'minutes' };
}

export function delaySeconds(amount: number, unit: DelayUnit): number {
  return Math.round(amount * UNIT_SECONDS[unit]);
}

export const NEW_TEMPLATE: TemplateDraft = {
  title: 'Hello {{ customer.first_name | default: "there" }}',
  message: 'Your {{ device.platform }} device says hi.',
};

export const NEW_WEBHOOK: WebhookDraft = {
  url: '',
  method: 'POST',
  headers: [],
  body: '{"id": {{ customer.id | json }}, "email": {{ customer.email | json }}}',
};

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function newDraft(type: 'triggered' | 'broadcast'): CampaignDraft {
  return {
    name: '',
    type,
    triggerKind: 'event',
    triggerEvent: '',
    triggerSegment: 0,
    objectTrigger: null,
    audience: 'everyone',
    audienceSegment: 0,
    conditions: { and: [] },
    action: 'push',
    webhook: { ...NEW_WEBHOOK, headers: [] },
    templateMode: 'inline',
    templateId: 0,
    template: { ...NEW_TEMPLATE },
    delayAmount: 0,
    delayUnit: 'minutes',
    active: true,
  };
}

/** The form for an existing campaign. */
export function draftOf(c: AppCampaign): CampaignDraft {
  const d = newDraft(c.type);
  d.name = c.name;
  if (c.trigger && 'event' in c.trigger) {
    d.triggerKind = 'event';
    d.triggerEvent = c.trigger.event;
  } else if (c.trigger && 'segment_entered' in c.trigger) {
    d.triggerKind = 'segment';
    d.triggerSegment = c.trigger.segment_entered;
  } else if (c.trigger && 'object_changed' in c.trigger) {
    d.triggerKind = 'object';
    d.objectTrigger = c.trigger;
  }
  const f = c.filter;
  if (f === null || sameJson(f, EVERYONE)) d.audience = 'everyone';
  else if ('segment' in f && Object.keys(f).length === 1) {
    d.audience = 'segment';
    d.audienceSegment = f.segment.id;
  } else {
    d.audience = 'conditions';
    d.conditions = toModel(f);
  }
  if (typeof c.template === 'number') {
    d.templateMode = 'stored';
    d.templateId = c.template;
  } else if (c.template) {
    d.templateMode = 'inline';
    d.template = {
      title: c.template.title,
      message: c.template.message,
      image_url: c.template.image_url ?? '',
      link: c.template.link ?? '',
    };
  }
  if (c.action?.type === 'webhook') {
    d.action = 'webhook';
    d.webhook = webhookDraftOf(c.action);
  }
  const delay = splitDelay(c.delay_seconds);
  d.delayAmount = delay.amount;
  d.delayUnit = delay.unit;
  d.active = c.active;
  return d;
}

/** A saved webhook action as the form edits it (the secret stays on the server). */
export function webhookDraftOf(a: CampaignAction): WebhookDraft {
  return {
    url: a.url ?? '',
    method: a.method ?? 'POST',
    headers: Object.entries(a.headers ?? {}).map(([name, value]) => ({ name, value })),
    body: a.body ?? '',
  };
}

/**
 * The header rules of `@roster/protocol` (`ACTION_HEADER_NAME`, `RESERVED_ACTION_HEADERS`), which
 * the server checks: copied, as a value import would pull the schema library into the page; a unit
 * test checks the copy against them.
 */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);
export const MAX_WEBHOOK_HEADERS = 20;

/** Rows that say something: a row with neither a name nor a value is an empty line of the form. */
function filledRows(rows: readonly HeaderRow[]): HeaderRow[] {
  return rows.filter((r) => r.name.trim() !== '' || r.value !== '');
}

/** What is wrong with a webhook action as written, first problem only (null: nothing found). */
export function webhookProblem(
  w: WebhookDraft,
): { field: 'webhookUrl' | 'webhookHeaders' | 'webhookBody'; text: string } | null {
  const url = w.url.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!url) return { field: 'webhookUrl', text: 'Enter the URL the request goes to.' };
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    return { field: 'webhookUrl', text: 'The URL must start with http:// or https://.' };
  if (parsed.username || parsed.password)
    return { field: 'webhookUrl', text: 'Put credentials in a header, not in the URL.' };
  const rows = filledRows(w.headers);
  if (rows.length > MAX_WEBHOOK_HEADERS)
    return { field: 'webhookHeaders', text: `At most ${MAX_WEBHOOK_HEADERS} headers.` };
  const seen = new Set<string>();
  for (const r of rows) {
    const name = r.name.trim();
    const lower = name.toLowerCase();
    if (!name) return { field: 'webhookHeaders', text: 'Every header needs a name.' };
    if (!HEADER_NAME.test(name))
      return { field: 'webhookHeaders', text: `“${name}” is not a header name (letters, digits, - and _).` };
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('roster-'))
      return { field: 'webhookHeaders', text: `${name} is set by the connection or by Roster.` };
    if (seen.has(lower)) return { field: 'webhookHeaders', text: `${name} is given twice.` };
    seen.add(lower);
  }
  if (!w.body.trim()) return { field: 'webhookBody', text: 'Write the body: Liquid that renders to JSON.' };
  return null;
}

/** The action a webhook draft sends (`action` of a campaign body, a preview or a test-send). */
export function webhookActionOf(w: WebhookDraft): CampaignAction {
  return {
    type: 'webhook',
    url: w.url.trim(),
    method: w.method,
    headers: Object.fromEntries(filledRows(w.headers).map((r) => [r.name.trim(), r.value])),
    body: w.body,
  };
}

/** What keeps the form from saving, by field (the form shows each next to its field). */
export type DraftField = keyof CampaignDraft | 'webhookUrl' | 'webhookHeaders' | 'webhookBody';

export function draftProblems(d: CampaignDraft): Partial<Record<DraftField, string>> {
  const out: Partial<Record<DraftField, string>> = {};
  if (!d.name.trim()) out.name = 'Give the campaign a name.';
  if (d.type === 'triggered' && d.triggerKind === 'event' && !d.triggerEvent.trim())
    out.triggerEvent = 'Name the event that starts it, such as purchase.';
  if (d.type === 'triggered' && d.triggerKind === 'segment' && !(d.triggerSegment > 0))
    out.triggerSegment = 'Choose the segment people enter.';
  if (d.audience === 'segment' && !(d.audienceSegment > 0)) out.audienceSegment = 'Choose a segment.';
  if (d.audience === 'conditions') {
    const p = problems(d.conditions)[0];
    if (p) out.conditions = `The conditions are not complete: ${p.message}.`;
  }
  if (d.action === 'webhook') {
    const p = webhookProblem(d.webhook);
    if (p) out[p.field] = p.text;
  } else if (d.templateMode === 'stored' && !(d.templateId > 0)) out.templateId = 'Choose a template.';
  else if (d.templateMode === 'inline' && (!d.template.title.trim() || !d.template.message.trim()))
    out.template = 'A push needs a title and a message.';
  const delay = delaySeconds(d.delayAmount, d.delayUnit);
  if (!Number.isFinite(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
    out.delayAmount = 'The wait can be from 0 up to 90 days.';
  return out;
}

function templateBody(t: TemplateDraft): PushTemplateFields {
  const out: PushTemplateFields = { title: t.title, message: t.message };
  if (t.image_url?.trim()) out.image_url = t.image_url.trim();
  if (t.link?.trim()) out.link = t.link.trim();
  return out;
}

function filterOf(d: CampaignDraft): Condition | null {
  if (d.audience === 'segment') return { segment: { id: d.audienceSegment } };
  if (d.audience === 'conditions') return toWire(d.conditions);
  // A broadcast without an audience has nobody to send to (the server wants one): everyone is
  // every person; a triggered campaign without a filter sends to whoever triggers it.
  return d.type === 'broadcast' ? EVERYONE : null;
}

function triggerOf(d: CampaignDraft): CampaignTrigger | null {
  if (d.triggerKind === 'event') return { event: d.triggerEvent.trim() };
  if (d.triggerKind === 'segment') return { segment_entered: d.triggerSegment };
  return d.objectTrigger;
}

/**
 * The App API body. `type` is sent only when creating (it cannot change). A webhook campaign sends
 * no template (a push template saved before stays stored, unused, until it sends pushes again).
 */
export function bodyOf(d: CampaignDraft, creating: boolean): CampaignWriteBody {
  const body: CampaignWriteBody = {
    name: d.name.trim(),
    filter: filterOf(d),
    action: d.action === 'webhook' ? webhookActionOf(d.webhook) : { type: 'push' },
    delay_seconds: delaySeconds(d.delayAmount, d.delayUnit),
    active: d.active,
  };
  if (d.action === 'push')
    body.template = d.templateMode === 'stored' ? d.templateId : templateBody(d.template);
  if (creating) body.type = d.type;
  if (d.type === 'triggered') {
    const trigger = triggerOf(d);
    if (trigger) body.trigger = trigger;
  }
  return body;
}

/** "at once", "10 minutes later", "2 days later". */
export function delayWords(seconds: number): string {
  if (seconds <= 0) return 'at once';
  const { amount, unit } = splitDelay(seconds);
  return `${amount} ${amount === 1 ? unit.slice(0, -1) : unit} later`;
}

/** A rendered webhook body for reading: indented when it is JSON, as rendered when it is not. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
