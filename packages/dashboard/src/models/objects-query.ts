import type { ConditionOperator } from '@roster/protocol';
import { isEmptyGroup, toWire, type Condition } from './conditions';

/**
 * What the Objects page is showing, as it sits in the URL (so it survives a reload and can be
 * shared): the object type, a search box text `q` (the start of an object id or name), an
 * attribute test (`attr`, `op`, `value`) and conditions on the objects' attributes (`filter`, JSON).
 * All of it is one filter of people search's language, as `POST /v1/objects` takes it.
 */
export interface ObjectsQuery {
  type: string;
  q: string;
  attr: string;
  op: 'eq' | 'contains';
  value: string;
  filter: Condition | null;
}

export const EMPTY_OBJECTS_QUERY: ObjectsQuery = {
  type: '',
  q: '',
  attr: '',
  op: 'eq',
  value: '',
  filter: null,
};

export function parseObjectsQuery(search: string): ObjectsQuery {
  const p = new URLSearchParams(search);
  let filter: Condition | null = null;
  const raw = p.get('filter');
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) filter = parsed as Condition;
    } catch {
      filter = null; // a mangled link lists every object rather than failing
    }
  }
  if (filter && isEmptyGroup(filter)) filter = null;
  const type = (p.get('type') ?? '').trim();
  return {
    type: /^[1-9][0-9]{0,8}$/.test(type) ? type : '',
    q: (p.get('q') ?? '').trim(),
    attr: (p.get('attr') ?? '').trim(),
    op: p.get('op') === 'contains' ? 'contains' : 'eq',
    value: p.get('value') ?? '',
    filter,
  };
}

export function toObjectsSearch(query: ObjectsQuery): string {
  const p = new URLSearchParams();
  if (query.type) p.set('type', query.type);
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

/** Whether anything narrows the list (otherwise every object of the type is listed). */
export function isSearching(query: ObjectsQuery): boolean {
  return !!(query.q || query.attr || query.filter);
}

/**
 * The query as one object filter (null: every object of the type): the search box matches the
 * start of the object id or of its `name`, the attribute test and the conditions must hold too.
 */
export function objectFilterOf(query: ObjectsQuery): Condition | null {
  const parts: Condition[] = [];
  if (query.q)
    parts.push({
      or: [
        { attribute: { field: 'object_id', operator: 'starts_with', value: query.q } },
        { attribute: { field: 'name', operator: 'starts_with', value: query.q } },
      ],
    });
  if (query.attr)
    parts.push({
      attribute: { field: query.attr, operator: query.op as ConditionOperator, value: query.value },
    });
  if (query.filter) {
    const wire = toWire(query.filter);
    if (wire) parts.push(wire);
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : { and: parts };
}
