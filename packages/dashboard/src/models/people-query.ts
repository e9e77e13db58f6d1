import { describeConditions, type Condition, type SegmentNames } from './conditions';
import {
  conditionOf,
  EMPTY_SEARCH,
  queryString,
  readSearch,
  restConditions,
  startsWithAny,
  writeSearch,
  type SearchQuery,
} from './search-query';

/**
 * What the People page is showing (`models/search-query.ts`): the search box matches the start of
 * an id or email, or a whole cio_id.
 */
export type PeopleQuery = SearchQuery;

export const EMPTY_QUERY: PeopleQuery = EMPTY_SEARCH;

export function parseQuery(search: string): PeopleQuery {
  return readSearch(new URLSearchParams(search));
}

export function toSearch(query: PeopleQuery): string {
  const p = new URLSearchParams();
  writeSearch(p, query);
  return queryString(p);
}

/** Id or email starting with `q` (the prefix search as a condition, for filters and segments). */
export function prefixCondition(q: string): Condition {
  return startsWithAny(['id', 'email'], q);
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
  return conditionOf(query, prefixCondition);
}

/** "people whose id or email starts with “ann” and plan equals “pro”". */
export function describeQuery(query: PeopleQuery, names?: SegmentNames): string {
  const bits: string[] = [];
  if (query.q) bits.push(`whose id or email starts with “${query.q}”`);
  const rest = restConditions(query);
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
