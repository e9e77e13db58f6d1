import { describe, expect, it } from 'vitest';
import {
  conditionsOf,
  describeQuery,
  EMPTY_QUERY,
  modeOf,
  parseQuery,
  suggestedName,
  toSearch,
} from '../../src/models/people-query';

describe('people query model', () => {
  it('round-trips through the URL', () => {
    const q = {
      q: 'ann',
      attr: 'plan',
      op: 'contains' as const,
      value: 'pr o',
      filter: { and: [{ attribute: { field: 'seats', operator: 'gt' as const, value: '3' } }] },
    };
    expect(parseQuery(toSearch(q))).toEqual(q);
    expect(toSearch(EMPTY_QUERY)).toBe('');
    expect(parseQuery('')).toEqual(EMPTY_QUERY);
    // A mangled filter shows everyone instead of failing; an empty one is no filter.
    expect(parseQuery('?filter=%7Bnope').filter).toBeNull();
    expect(parseQuery(`?filter=${encodeURIComponent('{"and":[]}')}`).filter).toBeNull();
  });

  it('uses the prefix search for the search box alone and the filter search otherwise', () => {
    expect(modeOf(EMPTY_QUERY)).toBe('all');
    expect(modeOf({ ...EMPTY_QUERY, q: 'ann' })).toBe('prefix');
    expect(modeOf({ ...EMPTY_QUERY, q: 'ann', attr: 'plan', value: 'pro' })).toBe('filter');
    expect(modeOf({ ...EMPTY_QUERY, filter: { and: [{ segment: { id: 1 } }] } })).toBe('filter');
  });

  it('turns a search into segment conditions (what "Save as segment" saves)', () => {
    expect(conditionsOf(EMPTY_QUERY)).toBeNull();
    expect(conditionsOf({ ...EMPTY_QUERY, q: 'ann' })).toEqual({
      or: [
        { attribute: { field: 'id', operator: 'starts_with', value: 'ann' } },
        { attribute: { field: 'email', operator: 'starts_with', value: 'ann' } },
      ],
    });
    expect(conditionsOf({ ...EMPTY_QUERY, attr: 'plan', value: 'pro' })).toEqual({
      attribute: { field: 'plan', operator: 'eq', value: 'pro' },
    });
    expect(
      conditionsOf({
        ...EMPTY_QUERY,
        attr: 'plan',
        value: 'pro',
        filter: { and: [{ device: { and: [] } }] },
      }),
    ).toEqual({
      and: [
        { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
        { and: [{ device: { attribute: { field: 'id', operator: 'exists' } } }] },
      ],
    });
  });

  it('describes a search in words and suggests a segment name', () => {
    expect(describeQuery({ ...EMPTY_QUERY, q: 'ann', attr: 'plan', value: 'pro' })).toBe(
      'people whose id or email starts with “ann” and where plan equals “pro”',
    );
    expect(describeQuery(EMPTY_QUERY)).toBe('everyone');
    expect(suggestedName({ ...EMPTY_QUERY, attr: 'plan', value: 'pro' })).toBe('plan is pro');
    expect(suggestedName({ ...EMPTY_QUERY, q: 'ann' })).toBe('Starts with “ann”');
  });
});
