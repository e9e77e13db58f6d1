import type { Condition } from './conditions';
import {
  conditionOf,
  EMPTY_SEARCH,
  queryString,
  readSearch,
  startsWithAny,
  writeSearch,
  type SearchQuery,
} from './search-query';

export { isSearching } from './search-query';

/**
 * What the Objects page is showing (`models/search-query.ts`), with the object type; the search
 * box matches the start of an object id or name. All of it is one filter of people search's
 * language, as `POST /v1/objects` takes it.
 */
export interface ObjectsQuery extends SearchQuery {
  type: string;
}

export const EMPTY_OBJECTS_QUERY: ObjectsQuery = { type: '', ...EMPTY_SEARCH };

export function parseObjectsQuery(search: string): ObjectsQuery {
  const p = new URLSearchParams(search);
  const type = (p.get('type') ?? '').trim();
  return { type: /^[1-9][0-9]{0,8}$/.test(type) ? type : '', ...readSearch(p) };
}

export function toObjectsSearch(query: ObjectsQuery): string {
  const p = new URLSearchParams();
  if (query.type) p.set('type', query.type);
  writeSearch(p, query);
  return queryString(p);
}

/** The query as one object filter (null: every object of the type). */
export function objectFilterOf(query: ObjectsQuery): Condition | null {
  return conditionOf(query, (q) => startsWithAny(['object_id', 'name'], q));
}
