import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../server/src/filter/parse-filter.js';
import { parseObjectFilter } from '../../../server/src/services/objects/object-filter.js';
import {
  EMPTY_OBJECTS_QUERY,
  isSearching,
  objectFilterOf,
  parseObjectsQuery,
  toObjectsSearch,
} from '../../src/models/objects-query';
import {
  objectActivityKind,
  objectActivityTitle,
  objectHref,
  objectIdsIn,
  objectLabel,
  relationshipValue,
} from '../../src/models/objects';

describe('the Objects page query', () => {
  it('round-trips through the URL', () => {
    const q = {
      type: '2',
      q: 'ac',
      attr: 'plan',
      op: 'contains' as const,
      value: 'ent',
      filter: { and: [{ attribute: { field: 'seats', operator: 'gt' as const, value: '10' } }] },
    };
    const search = toObjectsSearch(q);
    expect(parseObjectsQuery(search)).toEqual(q);
    expect(toObjectsSearch(EMPTY_OBJECTS_QUERY)).toBe('');
    // A mangled link or a malformed type lists every object of the first type.
    expect(parseObjectsQuery('?type=x&filter=%7Bnope')).toEqual(EMPTY_OBJECTS_QUERY);
    expect(parseObjectsQuery('?filter=%7B%22and%22%3A%5B%5D%7D').filter).toBeNull();
  });

  it('is one filter the server takes for POST /v1/objects', () => {
    expect(objectFilterOf({ ...EMPTY_OBJECTS_QUERY, type: '1' })).toBeNull();
    expect(isSearching({ ...EMPTY_OBJECTS_QUERY, type: '1' })).toBe(false);
    const q = {
      type: '1',
      q: 'ac',
      attr: 'plan',
      op: 'eq' as const,
      value: 'pro',
      filter: { and: [{ attribute: { field: 'seats', operator: 'gte' as const, value: ' 10 ' } }] },
    };
    expect(isSearching(q)).toBe(true);
    const filter = objectFilterOf(q);
    expect(filter).toEqual({
      and: [
        {
          or: [
            { attribute: { field: 'object_id', operator: 'starts_with', value: 'ac' } },
            { attribute: { field: 'name', operator: 'starts_with', value: 'ac' } },
          ],
        },
        { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
        { and: [{ attribute: { field: 'seats', operator: 'gte', value: 10 } }] },
      ],
    });
    expect(() => parseObjectFilter(filter, '1')).not.toThrow();
    // The same filter language as people search.
    expect(() => parseFilter(filter)).not.toThrow();
  });
});

describe('objects in words and links', () => {
  it('names an object by its name attribute, else its id', () => {
    expect(objectLabel('acme', { name: 'Acme' })).toBe('Acme');
    expect(objectLabel('acme', { name: '  ' })).toBe('acme');
    expect(objectLabel('acme', undefined)).toBe('acme');
  });

  it('links to an object page, whatever its id holds', () => {
    expect(objectHref({ object_type_id: '1', object_id: 'a/b c' })).toBe('/objects/1/a%2Fb%20c');
    expect(objectIdsIn({ object_type_id: '1', object_id: 'acme', cio_object_id: 'ob1' })).toEqual({
      object_type_id: '1',
      object_id: 'acme',
    });
    expect(objectIdsIn({ segment_id: 3 })).toBeNull();
    expect(objectIdsIn(null)).toBeNull();
  });

  it('says what happened to an object', () => {
    expect(objectActivityKind('_o:1:attribute_change')).toBe('attribute_change');
    expect(objectActivityTitle('_o:12:add_relationship')).toBe('Person related');
    expect(objectActivityTitle('_o:1:delete_relationship')).toBe('Person no longer related');
    expect(objectActivityTitle('_o:1:something_new')).toBe('something new');
    expect(relationshipValue('admin')).toBe('admin');
    expect(relationshipValue(4)).toBe('4');
    expect(relationshipValue({ a: 1 })).toBe('{"a":1}');
  });
});
