import type { AppCampaign, TransactionalMessage } from '@roster/protocol';
import { delayWords } from './campaign-form';
import { describeConditions, EVERYONE, type SegmentNames } from './conditions';

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
    typeof c.template === 'number'
      ? `template “${templates.find((t) => t.id === c.template)?.name ?? `#${c.template}`}”`
      : c.template
        ? `“${c.template.title}”`
        : '(no message)';
  return { when, who, what, schedule: delayWords(c.delay_seconds) };
}
