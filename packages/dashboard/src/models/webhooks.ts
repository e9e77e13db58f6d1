import type {
  WebhookAttemptView,
  WebhookCreateBody,
  WebhookDeliveryView,
  WebhookEventKind,
  WebhookView,
} from '@roster/protocol';
import { relative } from './format';
import type { Tone } from './status';

/** Webhook subscriptions in the dashboard: the form's draft, its checks, and subscriptions in words. */

/**
 * The kinds of change, grouped as the form shows them. (The protocol's `WEBHOOK_EVENTS` is a value
 * import that would pull the schema library into the page; a unit test checks this list covers it.)
 */
export const KIND_GROUPS: ReadonlyArray<{ label: string; kinds: readonly WebhookEventKind[] }> = [
  { label: 'People', kinds: ['person.created', 'person.updated', 'person.deleted'] },
  { label: 'Devices', kinds: ['device.added', 'device.updated', 'device.removed'] },
  { label: 'Events', kinds: ['event.tracked'] },
  { label: 'Segments', kinds: ['segment.entered', 'segment.exited'] },
  {
    label: 'Messages',
    kinds: ['message.sent', 'message.delivered', 'message.opened', 'message.bounced', 'message.failed'],
  },
  { label: 'Objects', kinds: ['object.created', 'object.updated', 'object.deleted'] },
  { label: 'Relationships', kinds: ['relationship.added', 'relationship.removed'] },
];

export interface WebhookDraft {
  url: string;
  description: string;
  events: WebhookEventKind[];
  /** Event names, one per line or separated by commas; empty: every event. */
  eventNames: string;
  /** Segments for `segment.entered` / `segment.exited`; empty: every segment. */
  segmentIds: number[];
  /** Events per request at most (1: one event per request; above 1 the body is `{events: [...]}`). */
  batch: number;
}

export const NEW_WEBHOOK: WebhookDraft = {
  url: '',
  description: '',
  events: [],
  eventNames: '',
  segmentIds: [],
  batch: 1,
};

/** Every kind, in the order the form and the wire list them. */
export const ALL_KINDS: readonly WebhookEventKind[] = KIND_GROUPS.flatMap((g) => g.kinds);

const isKind = (k: string): k is WebhookEventKind => (ALL_KINDS as readonly string[]).includes(k);

/** A subscription as the form edits it. */
export function draftOf(w: WebhookView): WebhookDraft {
  return {
    url: w.url,
    description: w.description,
    events: w.events.filter(isKind),
    eventNames: (w.event_names ?? []).join(', '),
    segmentIds: w.segment_ids ?? [],
    batch: w.batch,
  };
}

/** "purchase, signup\nrefund" → ["purchase", "signup", "refund"]: trimmed, no blanks, no repeats. */
export function parseNames(text: string): string[] {
  const out: string[] = [];
  for (const n of text.split(/[,\n]/)) {
    const t = n.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

export const wantsEvents = (d: WebhookDraft): boolean => d.events.includes('event.tracked');
export const wantsSegments = (d: WebhookDraft): boolean =>
  d.events.includes('segment.entered') || d.events.includes('segment.exited');

/** Adds or removes a kind, keeping the order of ALL_KINDS. */
export function toggleKind(d: WebhookDraft, kind: WebhookEventKind, on: boolean): WebhookDraft {
  const set = new Set(d.events);
  if (on) set.add(kind);
  else set.delete(kind);
  return { ...d, events: ALL_KINDS.filter((k) => set.has(k)) };
}

/** What is wrong with a draft before anything is sent, by field (the server checks again). */
export function webhookProblems(
  d: WebhookDraft,
): Partial<Record<'url' | 'events' | 'eventNames' | 'batch', string>> {
  const out: Partial<Record<'url' | 'events' | 'eventNames' | 'batch', string>> = {};
  const url = d.url.trim();
  if (!url) out.url = 'Enter the URL deliveries are POSTed to.';
  else {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
      out.url = 'The URL must start with http:// or https://.';
    else if (parsed.username || parsed.password) out.url = 'The URL must not carry a user name or password.';
  }
  if (d.events.length === 0) out.events = 'Choose at least one kind of change.';
  if (wantsEvents(d) && parseNames(d.eventNames).length > 100) out.eventNames = 'At most 100 event names.';
  if (!Number.isInteger(d.batch) || d.batch < 1 || d.batch > 100)
    out.batch = 'Events per request: a whole number from 1 to 100.';
  return out;
}

/**
 * The body of `POST /v1/webhooks` (and `PUT`): the filters only with the kinds they apply to, and
 * `null` (every event, every segment) when nothing is chosen.
 */
export function webhookBody(d: WebhookDraft): Required<Omit<WebhookCreateBody, 'enabled'>> {
  const names = parseNames(d.eventNames);
  return {
    url: d.url.trim(),
    description: d.description.trim(),
    events: d.events,
    event_names: wantsEvents(d) && names.length > 0 ? names : null,
    segment_ids: wantsSegments(d) && d.segmentIds.length > 0 ? d.segmentIds : null,
    batch: d.batch,
  };
}

/** On, off, or paused by Roster (with why), as a badge shows it. */
export function webhookState(w: Pick<WebhookView, 'enabled' | 'paused'>): { tone: Tone; label: string } {
  if (w.paused) return { tone: 'warn', label: 'paused' };
  return w.enabled ? { tone: 'good', label: 'on' } : { tone: 'neutral', label: 'off' };
}

/** The kinds in short: "person.created, event.tracked (purchase) and 3 more". */
export function kindsInWords(
  w: Pick<WebhookView, 'events' | 'event_names' | 'segment_ids'>,
  segmentName: (id: number) => string = (id) => `segment ${id}`,
  max = 4,
): string {
  const parts = w.events.map((k) => {
    if (k === 'event.tracked' && w.event_names?.length) return `${k} (${w.event_names.join(', ')})`;
    if ((k === 'segment.entered' || k === 'segment.exited') && w.segment_ids?.length)
      return `${k} (${w.segment_ids.map(segmentName).join(', ')})`;
    return k;
  });
  if (parts.length <= max) return parts.join(', ');
  return `${parts.slice(0, max).join(', ')} and ${parts.length - max} more`;
}

/** An attempt's outcome as a badge. */
export function attemptTone(a: Pick<WebhookAttemptView, 'outcome'>): Tone {
  if (a.outcome === 'delivered') return 'good';
  if (a.outcome === 'failed') return 'bad';
  return 'warn';
}

/** What the receiver answered, in short: "200", "503", or the error when there was no answer. */
export function attemptAnswer(a: Pick<WebhookAttemptView, 'status_code' | 'error'>): string {
  if (a.status_code !== null) return String(a.status_code);
  return a.error ? 'no answer' : '—';
}

/**
 * Only the newest attempt of each event offers a replay: a replay queues a new delivery of the
 * same event (same id), so older attempts of it would replay the same thing again.
 */
export function newestPerEvent(attempts: readonly WebhookAttemptView[]): Set<number> {
  const seen = new Set<string>();
  const newest = new Set<number>();
  for (const a of attempts) {
    if (seen.has(a.event_id)) continue;
    seen.add(a.event_id);
    newest.add(a.id);
  }
  return newest;
}

/** The deliveries card's lists: `GET /v1/webhooks/:id/deliveries?status=`. */
export const DELIVERY_LISTS = [
  { status: 'pending', label: 'Pending' },
  { status: 'failed', label: 'Failed' },
  { status: 'delivered', label: 'Delivered' },
] as const;
export type DeliveryStatus = (typeof DELIVERY_LISTS)[number]['status'];

/** What a list shows when it is empty. */
export function noDeliveries(status: DeliveryStatus): string {
  if (status === 'pending')
    return 'Nothing pending: every change so far has been delivered or has failed for good.';
  if (status === 'failed')
    return 'No failed deliveries. A delivery fails for good when it is still refused 3 days after it was queued.';
  return 'No delivered events in the last 7 days.';
}

/**
 * When a pending delivery goes next, in words: "when turned on" while the subscription is off or
 * paused (its deliveries are held), "now" when due (a sender may hold it), else "in 8 s" /
 * "in 5 minutes".
 */
export function nextAttemptText(
  d: Pick<WebhookDeliveryView, 'next_attempt_at'>,
  held: boolean,
  now = Date.now() / 1000,
): string {
  if (held) return 'when turned on';
  if (d.next_attempt_at === null) return '—';
  const wait = d.next_attempt_at - now;
  if (wait <= 1) return 'now';
  if (wait < 60) return `in ${Math.round(wait)} s`;
  return relative(d.next_attempt_at, now);
}

/** A delivery's status as a badge. */
export function deliveryTone(d: Pick<WebhookDeliveryView, 'status'>): Tone {
  if (d.status === 'delivered') return 'good';
  if (d.status === 'failed') return 'bad';
  return 'warn';
}

/**
 * How long the old secret keeps signing beside a new one (`overlap_seconds` of
 * `POST /v1/webhooks/:id/rotate-secret`, at most 7 days): time to deploy the new one to receivers.
 */
export const ROTATE_OVERLAPS: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 0, label: 'no time' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
];

/** The question asked before rotating. */
export function rotateQuestion(overlapSeconds: number): string {
  const o = ROTATE_OVERLAPS.find((x) => x.seconds === overlapSeconds);
  return overlapSeconds === 0
    ? 'Make a new signing secret? The old one stops signing at once: receivers that still check it refuse deliveries.'
    : `Make a new signing secret? The old one keeps signing beside it for ${o?.label ?? `${overlapSeconds} seconds`}.`;
}
