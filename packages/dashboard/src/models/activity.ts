import type { AppActivity } from '@roster/protocol';

/** Activities in words. */

const TYPE_LABELS: Record<string, string> = {
  profile_create: 'Profile created',
  attribute_change: 'Attributes changed',
  failed_attribute_change: 'Attribute change failed',
  device_change: 'Device',
  event: 'Event',
  page: 'Page view',
  screen: 'Screen view',
  anon_merge: 'Anonymous activity merged',
  profile_merge: 'Profiles merged',
  profile_delete: 'Profile deleted',
  entered_segment: 'Entered segment',
  exited_segment: 'Exited segment',
  sent_push: 'Push sent',
  delivered_push: 'Push delivered',
  opened_push: 'Push opened',
  converted_push: 'Push converted',
  bounced_push: 'Push bounced',
  failed_push: 'Push failed',
  undeliverable_push: 'Push undeliverable',
  add_relationship: 'Related to',
  delete_relationship: 'No longer related to',
  relationship_attribute_change: 'Relationship changed',
  relationship_failed_attribute_change: 'Relationship change failed',
};

const DEVICE_ACTIONS: Record<string, string> = {
  added: 'Device added',
  updated: 'Device updated',
  moved_in: 'Device moved here',
  moved_out: 'Device moved away',
  deleted: 'Device deleted',
};

/** "Event: purchase", "Device added", "Push sent". */
export function activityTitle(a: Pick<AppActivity, 'type' | 'name' | 'url' | 'data'>): string {
  const data = (a.data ?? {}) as Record<string, unknown>;
  if (a.type === 'device_change')
    return DEVICE_ACTIONS[String(data.action)] ?? `Device ${String(data.action ?? 'changed')}`;
  const label = TYPE_LABELS[a.type] ?? a.type.replace(/_/g, ' ');
  if (a.type === 'event' || a.type === 'screen' || a.type === 'page')
    return `${label}: ${a.name ?? a.url ?? ''}`;
  return label;
}

/** A small object of plain values, shown as pairs rather than a JSON block. */
export function isFlat(data: Record<string, unknown>): boolean {
  const values = Object.values(data);
  return (
    values.length <= 6 &&
    values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)) &&
    values.every((v) => String(v).length <= 80)
  );
}

/** The activity types people filter timelines by. */
export const ACTIVITY_FILTERS: ReadonlyArray<{ value: string; label: string }> = [
  { value: '', label: 'Everything' },
  { value: 'event', label: 'Events' },
  { value: 'attribute_change', label: 'Attribute changes' },
  { value: 'device_change', label: 'Devices' },
  { value: 'profile_create', label: 'New profiles' },
  { value: 'screen', label: 'Screens' },
  { value: 'page', label: 'Pages' },
  { value: 'entered_segment', label: 'Segment entries' },
  { value: 'exited_segment', label: 'Segment exits' },
  { value: 'sent_push', label: 'Pushes sent' },
];
