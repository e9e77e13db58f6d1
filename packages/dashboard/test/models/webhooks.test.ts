import { WEBHOOK_EVENTS, type WebhookAttemptView } from '@roster/protocol';
import { describe, expect, it } from 'vitest';
import {
  ROTATE_OVERLAPS,
  rotateQuestion,
  ALL_KINDS,
  attemptAnswer,
  attemptTone,
  DELIVERY_LISTS,
  deliveryTone,
  nextAttemptText,
  noDeliveries,
  draftOf,
  kindsInWords,
  NEW_WEBHOOK,
  newestPerEvent,
  parseNames,
  toggleKind,
  webhookBody,
  webhookProblems,
  webhookState,
} from '../../src/models/webhooks';

const attempt = (
  id: number,
  deliveryId: number,
  over: Partial<WebhookAttemptView> = {},
): WebhookAttemptView => ({
  id,
  delivery_id: deliveryId,
  event_id: `evt_${deliveryId}`,
  attempted_at_ms: 1_700_000_000_000 + id,
  status_code: 200,
  latency_ms: 12,
  outcome: 'delivered',
  error: null,
  response_excerpt: '{"ok":true}',
  ...over,
});

describe('webhook subscriptions in the dashboard', () => {
  it('offers every kind the server knows, in its order', () => {
    expect(ALL_KINDS).toEqual(WEBHOOK_EVENTS);
  });

  it('keeps kinds in wire order whatever order they are ticked in', () => {
    let d = toggleKind(NEW_WEBHOOK, 'segment.entered', true);
    d = toggleKind(d, 'person.created', true);
    d = toggleKind(d, 'event.tracked', true);
    expect(d.events).toEqual(['person.created', 'event.tracked', 'segment.entered']);
    expect(toggleKind(d, 'event.tracked', false).events).toEqual(['person.created', 'segment.entered']);
  });

  it('reads event names separated by commas or lines, trimmed and once each', () => {
    expect(parseNames(' purchase, signup\nrefund,,purchase ')).toEqual(['purchase', 'signup', 'refund']);
    expect(parseNames('  ')).toEqual([]);
  });

  it('finds a missing or wrong URL and missing kinds before sending', () => {
    expect(webhookProblems(NEW_WEBHOOK)).toEqual({
      url: 'Enter the URL deliveries are POSTed to.',
      events: 'Choose at least one kind of change.',
    });
    const ok = { ...NEW_WEBHOOK, events: ['person.created' as const] };
    expect(webhookProblems({ ...ok, url: 'ftp://x.example' }).url).toMatch(/http/);
    expect(webhookProblems({ ...ok, url: 'not a url' }).url).toMatch(/http/);
    expect(webhookProblems({ ...ok, url: 'https://u:p@x.example/' }).url).toMatch(/user name or password/);
    expect(webhookProblems({ ...ok, url: 'https://hooks.example.com/roster' })).toEqual({});
    for (const batch of [0, 101, 2.5, NaN])
      expect(webhookProblems({ ...ok, url: 'https://x.example', batch }).batch).toBe(
        'Events per request: a whole number from 1 to 100.',
      );
    expect(webhookProblems({ ...ok, url: 'https://x.example', batch: 100 })).toEqual({});
    const many = Array.from({ length: 101 }, (_, i) => `e${i}`).join(',');
    expect(
      webhookProblems({ ...ok, url: 'https://x.example', events: ['event.tracked'], eventNames: many })
        .eventNames,
    ).toBe('At most 100 event names.');
  });

  it('sends filters only with the kinds they apply to, null for "every"', () => {
    const d = {
      url: ' https://hooks.example.com/roster ',
      description: ' CRM ',
      events: ['person.created' as const],
      eventNames: 'purchase',
      segmentIds: [3],
      batch: 1,
    };
    expect(webhookBody(d)).toEqual({
      url: 'https://hooks.example.com/roster',
      description: 'CRM',
      events: ['person.created'],
      event_names: null,
      segment_ids: null,
      batch: 1,
    });
    expect(webhookBody({ ...d, events: ['event.tracked', 'segment.exited'] })).toMatchObject({
      event_names: ['purchase'],
      segment_ids: [3],
    });
    expect(webhookBody({ ...d, events: ['event.tracked'], eventNames: '' }).event_names).toBeNull();
  });

  it('turns a subscription back into a draft', () => {
    const w = {
      id: 1,
      url: 'https://x.example',
      description: 'd',
      events: ['event.tracked', 'segment.entered', 'no.longer.known'],
      event_names: ['a', 'b'],
      segment_ids: [4],
      enabled: true,
      batch: 1,
      paused: null,
      previous_secret_expires_at: null,
      created_at: 1,
      updated_at: 1,
    };
    expect(draftOf(w)).toEqual({
      url: 'https://x.example',
      description: 'd',
      events: ['event.tracked', 'segment.entered'],
      eventNames: 'a, b',
      segmentIds: [4],
      batch: 1,
    });
  });

  it('says whether a subscription is on, off or paused', () => {
    expect(webhookState({ enabled: true, paused: null })).toEqual({ tone: 'good', label: 'on' });
    expect(webhookState({ enabled: false, paused: null })).toEqual({ tone: 'neutral', label: 'off' });
    expect(webhookState({ enabled: true, paused: { reason: '410 Gone', at: 1 } }).label).toBe('paused');
  });

  it('writes what a subscription sends in short', () => {
    const w = {
      events: ['person.created', 'event.tracked', 'segment.entered'],
      event_names: ['buy'],
      segment_ids: [2],
    };
    expect(kindsInWords(w, (id) => (id === 2 ? 'VIP' : '?'))).toBe(
      'person.created, event.tracked (buy), segment.entered (VIP)',
    );
    expect(kindsInWords({ ...w, event_names: null, segment_ids: null }, undefined, 2)).toBe(
      'person.created, event.tracked and 1 more',
    );
  });

  it('shows attempts in words and offers a replay once per event', () => {
    expect(attemptTone(attempt(1, 1))).toBe('good');
    expect(attemptTone(attempt(1, 1, { outcome: 'retry' }))).toBe('warn');
    expect(attemptTone(attempt(1, 1, { outcome: 'failed' }))).toBe('bad');
    expect(attemptAnswer(attempt(1, 1, { status_code: 503 }))).toBe('503');
    expect(attemptAnswer(attempt(1, 1, { status_code: null, error: 'ECONNREFUSED' }))).toBe('no answer');
    // Newest first, as the API lists them.
    const list = [attempt(5, 2), attempt(4, 1), attempt(3, 2, { outcome: 'retry' }), attempt(2, 1)];
    expect([...newestPerEvent(list)]).toEqual([5, 4]);
    // A replay is a new delivery of the same event.
    const replayed = [attempt(7, 9, { event_id: 'evt_1' }), attempt(6, 1)];
    expect([...newestPerEvent(replayed)]).toEqual([7]);
  });

  it('offers rotation overlaps the server takes, and says what each does', () => {
    for (const o of ROTATE_OVERLAPS) expect(o.seconds).toBeLessThanOrEqual(7 * 86_400);
    expect(ROTATE_OVERLAPS.map((o) => o.seconds)).toContain(86_400);
    expect(rotateQuestion(86_400)).toBe(
      'Make a new signing secret? The old one keeps signing beside it for 1 day.',
    );
    expect(rotateQuestion(0)).toContain('stops signing at once');
  });

  it('says when a pending delivery goes next, and lists the statuses the API filters by', () => {
    const now = 1_000_000;
    expect(nextAttemptText({ next_attempt_at: now - 5 }, false, now)).toBe('now');
    expect(nextAttemptText({ next_attempt_at: now + 8 }, false, now)).toBe('in 8 s');
    expect(nextAttemptText({ next_attempt_at: now + 300 }, false, now)).toMatch(/5 minutes/);
    // Off or paused: its deliveries are held, whatever their due time.
    expect(nextAttemptText({ next_attempt_at: now - 5 }, true, now)).toBe('when turned on');
    expect(nextAttemptText({ next_attempt_at: null }, false, now)).toBe('—');
    expect(DELIVERY_LISTS.map((l) => l.status)).toEqual(['pending', 'failed', 'delivered']);
    expect(deliveryTone({ status: 'pending' })).toBe('warn');
    expect(deliveryTone({ status: 'failed' })).toBe('bad');
    expect(deliveryTone({ status: 'delivered' })).toBe('good');
    for (const l of DELIVERY_LISTS) expect(noDeliveries(l.status)).not.toBe('');
  });
});
