import type { ConditionOperator, CountOperator, SegmentConditions } from '@roster/protocol';

/** The segment condition language as the builder sees it (docs/segments.md). */
export type Condition = SegmentConditions;
export type Kind = 'attribute' | 'device' | 'event' | 'object' | 'segment' | 'and' | 'or' | 'not';
export type GroupCondition = { and: Condition[] } | { or: Condition[] };
export type EventCondition = Extract<Condition, { event: unknown }>['event'];
export type ObjectCondition = Extract<Condition, { object: unknown }>['object'];

/** Attribute operators, named in words (the select shows these; descriptions use them too). */
export const OPERATORS: ReadonlyArray<{ op: ConditionOperator; label: string }> = [
  { op: 'eq', label: 'equals' },
  { op: 'ne', label: 'does not equal' },
  { op: 'exists', label: 'exists' },
  { op: 'contains', label: 'contains' },
  { op: 'starts_with', label: 'starts with' },
  { op: 'gt', label: 'is greater than' },
  { op: 'gte', label: 'is at least' },
  { op: 'lt', label: 'is less than' },
  { op: 'lte', label: 'is at most' },
  { op: 'in', label: 'is one of' },
];

export const NUMERIC_OPERATORS: readonly string[] = ['gt', 'gte', 'lt', 'lte'];

export const COUNT_OPERATORS: ReadonlyArray<{ op: CountOperator; label: string }> = [
  { op: 'gte', label: 'at least' },
  { op: 'gt', label: 'more than' },
  { op: 'eq', label: 'exactly' },
  { op: 'lt', label: 'fewer than' },
  { op: 'lte', label: 'at most' },
];

export function operatorLabel(op: string): string {
  return OPERATORS.find((o) => o.op === op)?.label ?? op;
}

export function countLabel(op: string): string {
  return COUNT_OPERATORS.find((o) => o.op === op)?.label ?? op;
}

/** Fields a device condition can test; any device attribute works too. */
export const DEVICE_FIELDS: readonly string[] = [
  'platform',
  'push_enabled',
  '_last_status',
  'last_used',
  'app_version',
  'device_os',
  'device_model',
  'app_identifier',
  'device_locale',
  'cio_sdk_version',
];

/** Object fields with their own meaning (the identifiers); every other name is an attribute. */
export const OBJECT_FIELDS: readonly string[] = ['object_id', 'cio_object_id', 'name'];

/** Person fields with their own meaning; every other name is a custom attribute. */
export const PERSON_FIELDS: readonly string[] = ['id', 'email', 'cio_id', 'unsubscribed', 'created_at'];

export const KIND_LABELS: Record<Kind, string> = {
  attribute: 'Attribute',
  device: 'Device',
  event: 'Event',
  object: 'Related object',
  segment: 'In segment',
  and: 'Group (all of)',
  or: 'Group (any of)',
  not: 'Not',
};

/**
 * The kinds a group may hold, by where it is: person level, or inside a device block, event data,
 * an object's attributes or a relationship's attributes.
 */
export const PERSON_KINDS: readonly Kind[] = [
  'attribute',
  'device',
  'event',
  'object',
  'segment',
  'and',
  'or',
  'not',
];
export const INNER_KINDS: readonly Kind[] = ['attribute', 'and', 'or', 'not'];

export function kindOf(c: Condition): Kind {
  return Object.keys(c)[0] as Kind;
}

export function isGroup(c: Condition): c is GroupCondition {
  return 'and' in c || 'or' in c;
}

export function childrenOf(c: GroupCondition): Condition[] {
  return 'and' in c ? c.and : c.or;
}

export function isEmptyGroup(c: Condition): boolean {
  return isGroup(c) && childrenOf(c).length === 0;
}

/** A new condition of a kind, as the builder adds it. */
export function blank(kind: Kind): Condition {
  switch (kind) {
    case 'attribute':
      return { attribute: { field: '', operator: 'eq', value: '' } };
    case 'device':
      return { device: { and: [{ attribute: { field: 'platform', operator: 'eq', value: 'ios' } }] } };
    case 'event':
      return { event: { name: '', where: { and: [] } } };
    case 'object':
      return { object: { type_id: '', where: { and: [] }, relationship: { and: [] } } };
    case 'segment':
      return { segment: { id: 0 } };
    case 'and':
      return { and: [] };
    case 'or':
      return { or: [] };
    case 'not':
      return { not: { and: [{ attribute: { field: '', operator: 'eq', value: '' } }] } };
  }
}
