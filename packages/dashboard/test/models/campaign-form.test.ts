import {
  ACTION_HEADER_NAME,
  MAX_ACTION_HEADERS,
  RESERVED_ACTION_HEADERS,
  reservedActionHeader,
  type AppCampaign,
} from '@roster/protocol';
import { describe, expect, it } from 'vitest';
import {
  bodyOf,
  delaySeconds,
  delayWords,
  draftOf,
  draftProblems,
  HEADER_NAME,
  MAX_WEBHOOK_HEADERS,
  newDraft,
  RESERVED_HEADERS,
  prettyJson,
  splitDelay,
  webhookActionOf,
  webhookProblem,
  type WebhookDraft,
} from '../../src/models/campaign-form';
import { actionKind, campaignWords, webhookTarget } from '../../src/models/campaign-words';
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
      action: { type: 'push' },
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

  it('edits a webhook action and sends back the same action, without a template', () => {
    const hook: AppCampaign = {
      ...base,
      template: null,
      action: {
        type: 'webhook',
        url: 'https://crm.example.com/hooks/orders',
        method: 'PUT',
        headers: { Authorization: 'Bearer k', 'X-Customer': '{{ customer.id }}' },
        body: '{"id": {{ customer.id | json }}}',
        secret: 'whsec_abc',
      },
    };
    const d = draftOf(hook);
    expect(d.action).toBe('webhook');
    expect(d.webhook).toEqual({
      url: 'https://crm.example.com/hooks/orders',
      method: 'PUT',
      headers: [
        { name: 'Authorization', value: 'Bearer k' },
        { name: 'X-Customer', value: '{{ customer.id }}' },
      ],
      body: '{"id": {{ customer.id | json }}}',
    });
    expect(draftProblems(d)).toEqual({});
    const body = bodyOf(d, false);
    // The secret is the server's: never sent back, never replaced by the form.
    expect(body.action).toEqual({
      type: 'webhook',
      url: 'https://crm.example.com/hooks/orders',
      method: 'PUT',
      headers: { Authorization: 'Bearer k', 'X-Customer': '{{ customer.id }}' },
      body: '{"id": {{ customer.id | json }}}',
    });
    expect(body).not.toHaveProperty('template');
    // Back to a push: the template goes again, the action says push.
    expect(bodyOf({ ...d, action: 'push' }, false)).toMatchObject({
      action: { type: 'push' },
      template: { title: 'Hello {{ customer.first_name | default: "there" }}' },
    });
    // A campaign answer from before actions existed sends pushes.
    expect(draftOf(base).action).toBe('push');
    expect(actionKind(base)).toBe('push');
    expect(actionKind(hook)).toBe('webhook');
    expect(campaignWords(hook, () => undefined, []).what).toBe(
      'a webhook PUT to crm.example.com/hooks/orders',
    );
  });

  it('leaves empty header rows out and trims names, keeping values as written', () => {
    const w: WebhookDraft = {
      url: ' http://127.0.0.1:9000/x ',
      method: 'POST',
      headers: [
        { name: ' X-A ', value: ' {{ customer.id }} ' },
        { name: '', value: '' },
      ],
      body: '{}',
    };
    expect(webhookProblem(w)).toBeNull();
    expect(webhookActionOf(w)).toEqual({
      type: 'webhook',
      url: 'http://127.0.0.1:9000/x',
      method: 'POST',
      headers: { 'X-A': ' {{ customer.id }} ' },
      body: '{}',
    });
  });

  it('names what is wrong with a webhook action before anything is sent', () => {
    const ok: WebhookDraft = { url: 'https://h.example.com/', method: 'POST', headers: [], body: '{}' };
    const problem = (patch: Partial<WebhookDraft>) => webhookProblem({ ...ok, ...patch });
    expect(problem({ url: '' })).toEqual({ field: 'webhookUrl', text: 'Enter the URL the request goes to.' });
    expect(problem({ url: 'ftp://h.example.com/' })?.field).toBe('webhookUrl');
    expect(problem({ url: 'not a url' })?.field).toBe('webhookUrl');
    expect(problem({ url: 'https://u:p@h.example.com/' })?.text).toBe(
      'Put credentials in a header, not in the URL.',
    );
    expect(problem({ headers: [{ name: '', value: 'v' }] })?.text).toBe('Every header needs a name.');
    expect(problem({ headers: [{ name: 'Bad Name', value: 'v' }] })?.field).toBe('webhookHeaders');
    expect(problem({ headers: [{ name: 'Host', value: 'x' }] })?.text).toBe(
      'Host is set by the connection or by Roster.',
    );
    expect(problem({ headers: [{ name: 'Roster-Webhook-Id', value: 'x' }] })?.field).toBe('webhookHeaders');
    expect(
      problem({
        headers: [
          { name: 'X-A', value: '1' },
          { name: 'x-a', value: '2' },
        ],
      })?.text,
    ).toBe('x-a is given twice.');
    expect(
      problem({ headers: Array.from({ length: 21 }, (_, i) => ({ name: `X-${i}`, value: '' })) })?.text,
    ).toBe('At most 20 headers.');
    expect(problem({ body: '  ' })?.field).toBe('webhookBody');
    // The form shows them by field; a push template is not asked of a webhook campaign.
    const d = { ...newDraft('triggered'), name: 'x', triggerEvent: 'e', action: 'webhook' as const };
    expect(draftProblems(d)).toEqual({ webhookUrl: 'Enter the URL the request goes to.' });
    expect(
      draftProblems({ ...d, template: { title: '', message: '' }, webhook: { ...d.webhook, url: ok.url } }),
    ).toEqual({});
  });

  it('keeps a trigger on object changes it cannot edit', () => {
    const trigger = { object_changed: { type_id: '1', attributes: ['plan'] } };
    const d = draftOf({ ...base, trigger });
    expect(d.triggerKind).toBe('object');
    expect(draftProblems(d)).toEqual({});
    expect(bodyOf(d, false).trigger).toEqual(trigger);
    expect(campaignWords({ ...base, trigger }, () => undefined, []).when).toBe(
      'When an object of type 1 changes',
    );
  });

  it('shows a rendered body indented when it is JSON, as rendered when not', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{"a":')).toBe('{"a":');
    expect(webhookTarget('https://crm.example.com/')).toBe('crm.example.com');
    expect(webhookTarget('http://127.0.0.1:9000/hooks?x=1')).toBe('127.0.0.1:9000/hooks');
  });

  it('checks header names by the same rules as the server', () => {
    expect(HEADER_NAME.source).toBe(ACTION_HEADER_NAME.source);
    expect([...RESERVED_HEADERS].sort()).toEqual([...RESERVED_ACTION_HEADERS].sort());
    expect(MAX_WEBHOOK_HEADERS).toBe(MAX_ACTION_HEADERS);
    for (const name of ['Host', 'TE', 'Roster-Webhook-Id', 'roster-x', 'Authorization', 'X-Api-Key'])
      expect(
        webhookProblem({
          url: 'https://h.example.com/',
          method: 'POST',
          headers: [{ name, value: 'v' }],
          body: '{}',
        })?.text.includes('set by the connection or by Roster') ?? false,
        name,
      ).toBe(reservedActionHeader(name));
  });
});
