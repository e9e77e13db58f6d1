import type { AppCampaign, TransactionalMessage } from '@roster/protocol';
import { delayWords } from './campaign-form';
import { describeConditions, EVERYONE, type SegmentNames } from './conditions';

/** Where a webhook goes, for reading: the host and path (`crm.example.com/hooks/orders`). */
export function webhookTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}

/** What a campaign sends: a push or a webhook (a campaign answer without `action` sends pushes). */
export function actionKind(c: AppCampaign): 'push' | 'webhook' {
  return c.action?.type === 'webhook' ? 'webhook' : 'push';
}

/** A campaign in words, for the list: when it sends, to whom, what, and how soon. */
export function campaignWords(
  c: AppCampaign,
  names: SegmentNames,
  templates: readonly TransactionalMessage[],
): { when: string; who: string; what: string; schedule: string } {
  const segment = (id: number) => {
    const n = names(id);
    return n ? `“${n}”` : `segment #${id}`;
  };
  const when =
    c.type === 'broadcast'
      ? 'When you send it'
      : c.trigger && 'event' in c.trigger
        ? `When someone does “${c.trigger.event}”`
        : c.trigger && 'segment_entered' in c.trigger
          ? `When someone enters ${segment(c.trigger.segment_entered)}`
          : c.trigger && 'object_changed' in c.trigger
            ? `When an object of type ${c.trigger.object_changed.type_id} changes`
            : 'Never (no trigger)';
  const who =
    c.filter === null || JSON.stringify(c.filter) === JSON.stringify(EVERYONE)
      ? c.type === 'broadcast'
        ? 'everyone'
        : 'whoever triggers it'
      : 'segment' in c.filter && Object.keys(c.filter).length === 1
        ? `people in ${segment(c.filter.segment.id)}`
        : `people where ${describeConditions(c.filter, names)}`;
  const what =
    c.action?.type === 'webhook'
      ? `a webhook ${c.action.method ?? 'POST'} to ${webhookTarget(c.action.url ?? '')}`
      : typeof c.template === 'number'
        ? `template “${templates.find((t) => t.id === c.template)?.name ?? `#${c.template}`}”`
        : c.template
          ? `“${c.template.title}”`
          : '(no message)';
  return { when, who, what, schedule: delayWords(c.delay_seconds) };
}
