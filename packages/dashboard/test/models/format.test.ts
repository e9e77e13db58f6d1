import type { AppMessage } from '@roster/protocol';
import { describe, expect, it } from 'vitest';
import { activityTitle, isFlat } from '../../src/models/activity';
import { personLabel, platformName, plural, relative, shortToken } from '../../src/models/format';
import { parseJsonObject } from '../../src/models/json-object';
import { messageWords } from '../../src/models/messages';
import { latestMetric, statusTone } from '../../src/models/status';

describe('formatting', () => {
  it('writes platforms as people do', () => {
    expect(platformName('ios')).toBe('iOS');
    expect(platformName('IOS')).toBe('iOS');
    expect(platformName('android')).toBe('Android');
    expect(platformName('roku')).toBe('Roku');
  });

  it('shortens long tokens to their ends and leaves short ones whole', () => {
    const t = 'fcm-token-dana-0002-abcdefghijklmnop';
    expect(shortToken(t)).toBe('fcm-toke…ijklmnop');
    expect(shortToken('tok-user-08')).toBe('tok-user-08');
    expect(shortToken('😀'.repeat(30))).toBe(`${'😀'.repeat(8)}…${'😀'.repeat(8)}`);
  });

  it('names people, counts and times', () => {
    expect(personLabel({ id: 'u1', email: 'a@example.com', cio_id: 'c' })).toBe('a@example.com');
    expect(personLabel({ id: 'u1', email: null, cio_id: 'c' })).toBe('u1');
    expect(personLabel({ id: null, email: null, cio_id: 'c' })).toBe('c');
    expect(personLabel(null)).toBe('(deleted person)');
    expect(plural(1, 'person', 'people')).toBe('1 person');
    expect(plural(2, 'person', 'people')).toBe('2 people');
    expect(relative(1000, 1000 + 30, 'en-US')).toBe('just now');
    expect(relative(1000, 1000 + 7200, 'en-US')).toBe('2 hours ago');
  });

  it('reads JSON data boxes', () => {
    expect(parseJsonObject('')).toEqual({ ok: true, value: undefined });
    expect(parseJsonObject('{"code":"X"}')).toEqual({ ok: true, value: { code: 'X' } });
    expect(parseJsonObject('[1]')).toEqual({
      ok: false,
      error: 'Use a JSON object, such as {"code": "WELCOME10"}.',
    });
    expect(parseJsonObject('{"code":')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Not valid JSON yet/),
    });
  });

  it('says what a delivery was: its title and where it came from', () => {
    const m: AppMessage = {
      id: 'd1',
      deduplicate_id: 'd1',
      type: 'push',
      created: 1_700_000_000,
      customer_id: 'dana',
      customer_identifiers: null,
      recipient: null,
      subject: null,
      metrics: {},
      failure_message: null,
      forgotten: false,
      campaign_id: null,
      action_id: null,
      parent_action_id: null,
      newsletter_id: null,
      content_id: null,
      msg_template_id: null,
      broadcast_id: null,
      trigger_event_id: null,
      transactional_message_id: 2,
      title: 'Hi Dana',
      body: null,
    };
    const templates = [{ id: 2, name: 'Welcome', title: 'Hi {{ customer.first_name }}' }] as never[];
    expect(messageWords(m, templates, [])).toEqual({ title: 'Hi Dana', source: 'Template “Welcome”' });
    expect(
      messageWords(
        { ...m, title: null, transactional_message_id: null, broadcast_id: 5 },
        [],
        [{ id: 5, name: 'News', type: 'broadcast' } as never],
      ),
    ).toEqual({ title: '(no title)', source: 'Broadcast “News”' });
    expect(messageWords({ ...m, transactional_message_id: 7 }, [], []).source).toBe('Template #7');
    // A webhook request is named by where it went; one with no campaign is a test request.
    const hook = {
      ...m,
      type: 'webhook',
      title: null,
      transactional_message_id: null,
      recipient: 'https://crm.example.com/hooks/orders',
    };
    expect(messageWords(hook, [], [])).toEqual({
      title: 'Webhook to crm.example.com/hooks/orders',
      source: 'Test request',
    });
    expect(
      messageWords({ ...hook, campaign_id: 3 }, [], [{ id: 3, name: 'To CRM', type: 'triggered' } as never]),
    ).toEqual({ title: 'Webhook to crm.example.com/hooks/orders', source: 'Campaign “To CRM”' });
  });

  it('names activities and statuses', () => {
    expect(activityTitle({ type: 'event', name: 'purchase', data: {} })).toBe('Event: purchase');
    expect(activityTitle({ type: 'device_change', data: { action: 'moved_in' } })).toBe('Device moved here');
    expect(activityTitle({ type: 'custom_thing', data: {} })).toBe('custom thing');
    expect(isFlat({ a: 1, b: 'x' })).toBe(true);
    expect(isFlat({ items: ['a'] })).toBe(false);
    expect(latestMetric({ sent: 10, delivered: 12 })).toBe('delivered');
    expect(latestMetric({})).toBe('queued');
    expect(statusTone('bounced')).toBe('bad');
  });
});
