import type { ConditionOperator } from '@roster/protocol';
import { isEmptyGroup, toWire, type Condition } from './conditions';

/**
 * What a search page (People, Objects) is showing, as it sits in the URL so it survives a reload
 * and can be shared: a search box text `q`, an attribute test (`attr`, `op`, `value`) and
 * conditions from the builder (`filter`, JSON). Each page adds what is its own (Objects: the type)
 * and says what the search box matches (`prefix`).
 */
export interface SearchQuery {
  q: string;
  attr: string;
  op: 'eq' | 'contains';
  value: string;
  filter: Condition | null;
}

export const EMPTY_SEARCH: SearchQuery = { q: '', attr: '', op: 'eq', value: '', filter: null };

/** The search's part of a URL's query string; a mangled `filter` is dropped rather than failing. */
export function readSearch(p: URLSearchParams): SearchQuery {
  let filter: Condition | null = null;
  const raw = p.get('filter');
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) filter = parsed as Condition;
    } catch {
      filter = null;
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

/** Adds the search to `p` (nothing for what is empty; `op` only when it is not the default). */
export function writeSearch(p: URLSearchParams, query: SearchQuery): void {
  if (query.q.trim()) p.set('q', query.q.trim());
  if (query.attr.trim()) {
    p.set('attr', query.attr.trim());
    if (query.op !== 'eq') p.set('op', query.op);
    p.set('value', query.value);
  }
  if (query.filter && !isEmptyGroup(query.filter)) p.set('filter', JSON.stringify(query.filter));
}

/** `?a=b` from a URLSearchParams, or '' when it is empty. */
export function queryString(p: URLSearchParams): string {
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Whether anything narrows the list. */
export function isSearching<Q extends SearchQuery>(query: Q): boolean {
  return !!(query.q || query.attr || query.filter);
}

/** The attribute test as a condition (null when there is none). */
export function attributeCondition(query: SearchQuery): Condition | null {
  if (!query.attr) return null;
  return { attribute: { field: query.attr, operator: query.op as ConditionOperator, value: query.value } };
}

/** The attribute test and the builder's conditions (without the search box), in that order. */
export function restConditions(query: SearchQuery): Condition[] {
  const parts: Condition[] = [];
  const attr = attributeCondition(query);
  if (attr) parts.push(attr);
  if (query.filter) {
    const wire = toWire(query.filter);
    if (wire) parts.push(wire);
  }
  return parts;
}

/** `prefix` starts with `q` on any of `fields` (the search box as a condition). */
export function startsWithAny(fields: readonly string[], q: string): Condition {
  return {
    or: fields.map((field) => ({ attribute: { field, operator: 'starts_with' as const, value: q } })),
  };
}

/**
 * Everything the query asks for as one condition (null: everything): the search box through
 * `prefix`, the attribute test and the conditions must all hold.
 */
export function conditionOf(query: SearchQuery, prefix: (q: string) => Condition): Condition | null {
  const parts: Condition[] = [];
  if (query.q) parts.push(prefix(query.q));
  parts.push(...restConditions(query));
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : { and: parts };
}
