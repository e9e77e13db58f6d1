import { describe, expect, it } from 'vitest';
import {
  conditionOf,
  EMPTY_SEARCH,
  isSearching,
  queryString,
  readSearch,
  restConditions,
  startsWithAny,
  writeSearch,
} from '../../src/models/search-query';

const box = (q: string) => startsWithAny(['id', 'email'], q);

describe('the search query People and Objects share', () => {
  it('reads and writes the URL, leaving out what is empty and the default test', () => {
    const p = new URLSearchParams();
    p.set('type', '3'); // a page's own parameter stays where the page put it
    writeSearch(p, {
      q: ' ann ',
      attr: ' plan ',
      op: 'eq',
      value: 'pro',
      filter: { and: [{ attribute: { field: 'seats', operator: 'gt', value: '1' } }] },
    });
    expect([...p.keys()]).toEqual(['type', 'q', 'attr', 'value', 'filter']);
    expect(readSearch(p)).toEqual({
      q: 'ann',
      attr: 'plan',
      op: 'eq',
      value: 'pro',
      filter: { and: [{ attribute: { field: 'seats', operator: 'gt', value: '1' } }] },
    });
    const empty = new URLSearchParams();
    writeSearch(empty, { ...EMPTY_SEARCH, value: 'ignored without an attribute', filter: { and: [] } });
    expect(queryString(empty)).toBe('');
    const contains = new URLSearchParams();
    writeSearch(contains, { ...EMPTY_SEARCH, attr: 'name', op: 'contains', value: '' });
    expect(queryString(contains)).toBe('?attr=name&op=contains&value=');
  });

  it('drops a mangled or empty filter and an unknown test rather than failing', () => {
    expect(readSearch(new URLSearchParams('filter=%7Bnope&op=regex'))).toEqual(EMPTY_SEARCH);
    expect(readSearch(new URLSearchParams('filter=%5B1%5D')).filter).toBeNull();
    expect(readSearch(new URLSearchParams('filter=%7B%22or%22%3A%5B%5D%7D')).filter).toBeNull();
  });

  it('is one condition: the search box through the page, then the attribute test, then the conditions', () => {
    expect(conditionOf(EMPTY_SEARCH, box)).toBeNull();
    expect(isSearching(EMPTY_SEARCH)).toBe(false);
    expect(conditionOf({ ...EMPTY_SEARCH, q: 'an' }, box)).toEqual(box('an'));
    const q = {
      q: 'an',
      attr: 'plan',
      op: 'contains' as const,
      value: 'pr',
      filter: { and: [{ attribute: { field: 'age', operator: 'gte' as const, value: ' 30 ' } }] },
    };
    expect(isSearching(q)).toBe(true);
    expect(restConditions(q)).toEqual([
      { attribute: { field: 'plan', operator: 'contains', value: 'pr' } },
      { and: [{ attribute: { field: 'age', operator: 'gte', value: 30 } }] },
    ]);
    expect(conditionOf(q, box)).toEqual({ and: [box('an'), ...restConditions(q)] });
    expect(startsWithAny(['object_id', 'name'], 'ac')).toEqual({
      or: [
        { attribute: { field: 'object_id', operator: 'starts_with', value: 'ac' } },
        { attribute: { field: 'name', operator: 'starts_with', value: 'ac' } },
      ],
    });
  });
});
