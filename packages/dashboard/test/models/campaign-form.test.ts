import type { AppCampaign } from '@roster/protocol';
import { describe, expect, it } from 'vitest';
import {
  bodyOf,
  delaySeconds,
  delayWords,
  draftOf,
  draftProblems,
  newDraft,
  splitDelay,
} from '../../src/models/campaign-form';
import { campaignWords } from '../../src/models/campaign-words';
import { EVERYONE } from '../../src/models/conditions';

const base: AppCampaign = {
  id: 3,
  name: 'Thanks',
  type: 'triggered',
  trigger: { event: 'purchase' },
  filter: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
  template: { title: 'Thanks {{ customer.first_name }}', message: 'You bought {{ event.item }}' },
  delay_seconds: 600,
  active: true,
  created_at: 1,
  updated_at: 1,
};

describe('campaign form model', () => {
  it('splits and joins delays in whole units', () => {
    expect(splitDelay(0)).toEqual({ amount: 0, unit: 'minutes' });
    expect(splitDelay(600)).toEqual({ amount: 10, unit: 'minutes' });
    expect(splitDelay(7200)).toEqual({ amount: 2, unit: 'hours' });
    expect(splitDelay(3 * 86_400)).toEqual({ amount: 3, unit: 'days' });
    expect(delaySeconds(2, 'hours')).toBe(7200);
    expect(delayWords(0)).toBe('at once');
    expect(delayWords(60)).toBe('1 minute later');
    expect(delayWords(172_800)).toBe('2 days later');
  });

  it('edits a campaign and sends back the same definition', () => {
    const d = draftOf(base);
    expect(d).toMatchObject({
      triggerKind: 'event',
      triggerEvent: 'purchase',
      audience: 'conditions',
      delayAmount: 10,
    });
    expect(bodyOf(d, false)).toEqual({
      name: 'Thanks',
      trigger: { event: 'purchase' },
      filter: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] },
      template: { title: 'Thanks {{ customer.first_name }}', message: 'You bought {{ event.item }}' },
      delay_seconds: 600,
      active: true,
    });
    const seg = draftOf({
      ...base,
      trigger: { segment_entered: 7 },
      filter: { segment: { id: 4 } },
      template: 2,
    });
    expect(seg).toMatchObject({
      triggerKind: 'segment',
      triggerSegment: 7,
      audience: 'segment',
      audienceSegment: 4,
      templateMode: 'stored',
      templateId: 2,
    });
    expect(bodyOf(seg, false)).toMatchObject({
      trigger: { segment_entered: 7 },
      filter: { segment: { id: 4 } },
      template: 2,
    });
  });

  it('gives a broadcast to everyone an audience, and sends type only when creating', () => {
    const d = { ...newDraft('broadcast'), name: 'News' };
    expect(bodyOf(d, true)).toMatchObject({ type: 'broadcast', filter: EVERYONE });
    expect(bodyOf(d, true)).not.toHaveProperty('trigger');
    expect(bodyOf({ ...newDraft('triggered'), name: 'x', triggerEvent: 'e' }, false)).not.toHaveProperty(
      'type',
    );
    expect(draftOf({ ...base, type: 'broadcast', trigger: null, filter: EVERYONE }).audience).toBe(
      'everyone',
    );
  });

  it('names what is missing, by field', () => {
    expect(draftProblems(newDraft('triggered'))).toEqual({
      name: 'Give the campaign a name.',
      triggerEvent: 'Name the event that starts it, such as purchase.',
    });
    const d = {
      ...newDraft('triggered'),
      name: 'x',
      triggerEvent: 'e',
      audience: 'segment' as const,
      templateMode: 'stored' as const,
      delayAmount: 91,
      delayUnit: 'days' as const,
    };
    expect(Object.keys(draftProblems(d)).sort()).toEqual(['audienceSegment', 'delayAmount', 'templateId']);
  });

  it('describes a campaign in words', () => {
    const names = (id: number) => (id === 4 ? 'VIP' : undefined);
    expect(campaignWords(base, names, [])).toEqual({
      when: 'When someone does “purchase”',
      who: 'people where plan equals “pro”',
      what: '“Thanks {{ customer.first_name }}”',
      schedule: '10 minutes later',
    });
    const b = campaignWords(
      {
        ...base,
        type: 'broadcast',
        trigger: null,
        filter: { segment: { id: 4 } },
        template: 9,
        delay_seconds: 0,
      },
      names,
      [{ id: 9, name: 'Welcome' } as never],
    );
    expect(b).toEqual({
      when: 'When you send it',
      who: 'people in “VIP”',
      what: 'template “Welcome”',
      schedule: 'at once',
    });
  });
});
