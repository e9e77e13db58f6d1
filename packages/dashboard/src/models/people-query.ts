import type { ConditionOperator } from '@roster/protocol';
import { describeConditions, isEmptyGroup, toWire, type Condition, type SegmentNames } from './conditions';

/**
 * What the People page is showing, as it sits in the URL (so it survives a reload and can be
 * shared): a search box text `q` (the start of an id or email, or a whole cio_id), an attribute
 * test (`attr`, `op`, `value`), and conditions from the builder (`filter`, JSON).
 */
export interface PeopleQuery {
  q: string;
  attr: string;
  op: 'eq' | 'contains';
  value: string;
  filter: Condition | null;
}

export const EMPTY_QUERY: PeopleQuery = { q: '', attr: '', op: 'eq', value: '', filter: null };

export function parseQuery(search: string): PeopleQuery {
  const p = new URLSearchParams(search);
  let filter: Condition | null = null;
  const raw = p.get('filter');
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) filter = parsed as Condition;
    } catch {
      filter = null; // a mangled link shows everyone rather than failing
    }
  }
  if (filter && isEmptyGroup(filter)) filter = null;
  return {
    q: (p.get('q') ?? '').trim(),
    attr: (p.get('attr') ?? '').trim(),
    op: p.get('op') === 'contains' ? 'contains' : 'eq',
    value: p.get('value') ?? '',
    filter,
  };
}

export function toSearch(query: PeopleQuery): string {
  const p = new URLSearchParams();
  if (query.q.trim()) p.set('q', query.q.trim());
  if (query.attr.trim()) {
    p.set('attr', query.attr.trim());
    if (query.op !== 'eq') p.set('op', query.op);
    p.set('value', query.value);
  }
  if (query.filter && !isEmptyGroup(query.filter)) p.set('filter', JSON.stringify(query.filter));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Id or email starting with `q` (the prefix search as a condition, for filters and segments). */
export function prefixCondition(q: string): Condition {
  return {
    or: [
      { attribute: { field: 'id', operator: 'starts_with', value: q } },
      { attribute: { field: 'email', operator: 'starts_with', value: q } },
    ],
  };
}

function attributeCondition(query: PeopleQuery): Condition | null {
  if (!query.attr) return null;
  return { attribute: { field: query.attr, operator: query.op as ConditionOperator, value: query.value } };
}

/**
 * How the page finds people: `all` (nobody asked for anything), `prefix` (only the search box:
 * `GET /v1/customers/search`, which uses the identifier indexes), or `filter` (`POST /v1/customers`
 * with `conditions(query)`).
 */
export function modeOf(query: PeopleQuery): 'all' | 'prefix' | 'filter' {
  if (query.attr || query.filter) return 'filter';
  return query.q ? 'prefix' : 'all';
}

/** Everything the query asks for as one condition (null: everyone). What "Save as segment" saves. */
export function conditionsOf(query: PeopleQuery): Condition | null {
  const parts: Condition[] = [];
  if (query.q) parts.push(prefixCondition(query.q));
  const attr = attributeCondition(query);
  if (attr) parts.push(attr);
  if (query.filter) {
    const wire = toWire(query.filter);
    if (wire) parts.push(wire);
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : { and: parts };
}

/** "people whose id or email starts with “ann” and plan equals “pro”". */
export function describeQuery(query: PeopleQuery, names?: SegmentNames): string {
  const bits: string[] = [];
  if (query.q) bits.push(`whose id or email starts with “${query.q}”`);
  const rest: Condition[] = [];
  const attr = attributeCondition(query);
  if (attr) rest.push(attr);
  if (query.filter) {
    const wire = toWire(query.filter);
    if (wire) rest.push(wire);
  }
  if (rest.length)
    bits.push(`where ${describeConditions(rest.length === 1 ? rest[0]! : { and: rest }, names)}`);
  return bits.length ? `people ${bits.join(' and ')}` : 'everyone';
}

/** A name to suggest when saving the query as a segment. */
export function suggestedName(query: PeopleQuery): string {
  if (query.attr && !query.q && !query.filter)
    return `${query.attr} ${query.op === 'eq' ? 'is' : 'contains'} ${query.value}`;
  if (query.q && !query.attr && !query.filter) return `Starts with “${query.q}”`;
  return 'New segment';
}
