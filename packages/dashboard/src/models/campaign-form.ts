import type { AppCampaign, CampaignWriteBody, PushTemplateFields } from '@roster/protocol';
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

export interface CampaignDraft {
  name: string;
  type: 'triggered' | 'broadcast';
  /** Triggered campaigns start on an event, or when someone enters a segment. */
  triggerKind: 'event' | 'segment';
  triggerEvent: string;
  triggerSegment: number;
  audience: Audience;
  audienceSegment: number;
  conditions: GroupCondition;
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
    audience: 'everyone',
    audienceSegment: 0,
    conditions: { and: [] },
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
  const delay = splitDelay(c.delay_seconds);
  d.delayAmount = delay.amount;
  d.delayUnit = delay.unit;
  d.active = c.active;
  return d;
}

/** What keeps the form from saving, by field (the form shows each next to its field). */
export function draftProblems(d: CampaignDraft): Partial<Record<keyof CampaignDraft, string>> {
  const out: Partial<Record<keyof CampaignDraft, string>> = {};
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
  if (d.templateMode === 'stored' && !(d.templateId > 0)) out.templateId = 'Choose a template.';
  if (d.templateMode === 'inline' && (!d.template.title.trim() || !d.template.message.trim()))
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

/** The App API body. `type` is sent only when creating (it cannot change). */
export function bodyOf(d: CampaignDraft, creating: boolean): CampaignWriteBody {
  const body: CampaignWriteBody = {
    name: d.name.trim(),
    filter: filterOf(d),
    template: d.templateMode === 'stored' ? d.templateId : templateBody(d.template),
    delay_seconds: delaySeconds(d.delayAmount, d.delayUnit),
    active: d.active,
  };
  if (creating) body.type = d.type;
  if (d.type === 'triggered')
    body.trigger =
      d.triggerKind === 'event' ? { event: d.triggerEvent.trim() } : { segment_entered: d.triggerSegment };
  return body;
}

/** "at once", "10 minutes later", "2 days later". */
export function delayWords(seconds: number): string {
  if (seconds <= 0) return 'at once';
  const { amount, unit } = splitDelay(seconds);
  return `${amount} ${amount === 1 ? unit.slice(0, -1) : unit} later`;
}
