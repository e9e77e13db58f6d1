import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../../server/src/filter/parse-filter.js';
import {
  ANY_DEVICE,
  blank,
  describeConditions,
  plainWords,
  problems,
  rowOf,
  toModel,
  toWire,
  type Condition,
  type GroupCondition,
} from '../../src/models/conditions';

/** Conditions as the server stores them: any shape the language allows (docs/segments.md). */
function wireConditions(): fc.Arbitrary<Condition> {
  const field = fc.constantFrom('plan', 'seats', 'address.city', 'email', 'id');
  const attribute = fc
    .oneof(
      fc.record({
        field,
        operator: fc.constantFrom('eq', 'ne', 'contains', 'starts_with' as const),
        value: fc.constantFrom('pro', 'x', '3'),
      }),
      fc.record({
        field,
        operator: fc.constantFrom('gt', 'gte', 'lt', 'lte' as const),
        value: fc.constantFrom(3, '10', 2.5),
      }),
      fc.record({ field, operator: fc.constant('exists' as const) }),
      fc.record({ field, operator: fc.constant('in' as const), value: fc.constant(['a', 'b']) }),
      fc.record({
        field,
        operator: fc.constant('eq' as const),
        value: fc.constant('pro'),
        inverse: fc.boolean(),
      }),
    )
    .map((a) => ({ attribute: a }) as Condition);
  const { person } = fc.letrec<{ person: Condition; inner: Condition }>((tie) => ({
    inner: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      attribute,
      fc.array(tie('inner'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('inner'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('inner').map((not) => ({ not })),
    ),
    person: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      attribute,
      fc.constantFrom(1, 2).map((id) => ({ segment: { id } })),
      fc.oneof(fc.constant(ANY_DEVICE), tie('inner')).map((device) => ({ device })),
      fc
        .record(
          {
            name: fc.constantFrom('purchase', 'open'),
            type: fc.constantFrom('page', 'screen' as const),
            count: fc.record({ operator: fc.constantFrom('eq', 'gte', 'lt' as const), value: fc.nat(5) }),
            within: fc.constantFrom('30d', '12h', '90m'),
            where: tie('inner'),
          },
          { requiredKeys: ['name'] },
        )
        .map((event) => ({ event })),
      fc
        .record(
          {
            type_id: fc.constantFrom('1', '2', '12'),
            where: tie('inner'),
            relationship: tie('inner'),
          },
          { requiredKeys: ['type_id'] },
        )
        .map((object) => ({ object })),
      fc.array(tie('person'), { minLength: 1, maxLength: 3 }).map((and) => ({ and })),
      fc.array(tie('person'), { minLength: 1, maxLength: 3 }).map((or) => ({ or })),
      tie('person').map((not) => ({ not })),
    ),
  }));
  return person;
}

/** Rewrites numbers written as text ("10") in numeric comparisons, as toWire sends them. */
function numbersAsSent(c: unknown): unknown {
  return JSON.parse(JSON.stringify(c), (_k, v: unknown) => {
    const a = v as { operator?: string; value?: unknown; field?: unknown };
    return a &&
      typeof a === 'object' &&
      typeof a.field === 'string' &&
      ['gt', 'gte', 'lt', 'lte'].includes(a.operator ?? '') &&
      typeof a.value === 'string'
      ? { ...a, value: Number(a.value) }
      : v;
  });
}

describe('conditions model', () => {
  it('reads back what the server stores and sends it again unchanged (up to groups of one)', () => {
    fc.assert(
      fc.property(wireConditions(), (stored) => {
        const model = toModel(stored);
        expect(problems(model)).toEqual([]);
        const sent = toWire(model)!;
        // The server takes it, and it is the same condition: reading it back gives the same model.
        expect(() => parseFilter(sent, '/segment/conditions')).not.toThrow();
        expect(toModel(sent)).toEqual(numbersAsSent(model) as GroupCondition);
        expect(toWire(toModel(sent))).toEqual(sent);
      }),
      { numRuns: 300 },
    );
  });

  it('everything the builder calls complete, the server accepts', () => {
    // Models as a person builds them: any leaf may still be blank or half-typed.
    const leaf = fc.oneof(
      fc
        .record({
          field: fc.constantFrom('', ' ', 'plan', 'seats'),
          operator: fc.constantFrom('eq', 'gt', 'in', 'exists', 'starts_with' as const),
          value: fc.constantFrom('', 'pro', '10', ' 7 ', 'ten', '-1.5'),
        })
        .map(
          (a) =>
            ({
              attribute:
                a.operator === 'in'
                  ? { ...a, value: a.value ? [a.value] : [] }
                  : a.operator === 'exists'
                    ? { field: a.field, operator: a.operator }
                    : a,
            }) as Condition,
        ),
      fc.constantFrom(0, 3).map((id) => ({ segment: { id } }) as Condition),
      fc.record({ name: fc.constantFrom('', '  ', 'purchase'), n: fc.constantFrom(-1, 0, 2, 1.5) }).map(
        ({ name, n }) =>
          ({
            event: { name, count: { operator: 'gte' as const, value: n }, where: { and: [] } },
          }) as Condition,
      ),
    );
    // An object condition as the builder holds it: a type (maybe not chosen yet) and two groups of
    // attribute rows, possibly blank.
    const fields: fc.Arbitrary<GroupCondition> = fc
      .array(
        leaf.filter((c) => 'attribute' in c),
        { maxLength: 2 },
      )
      .map((and) => ({ and }));
    const objectLeaf = fc
      .record({ type_id: fc.constantFrom('', '0', '1', '7'), where: fields, relationship: fields })
      .map((object) => ({ object }) as Condition);
    const model: fc.Arbitrary<GroupCondition> = fc.letrec<{ g: GroupCondition; c: Condition }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small' },
        leaf,
        objectLeaf,
        tie('g'),
        tie('g').map((device) => ({ device }) as Condition),
        tie('g').map((not) => ({ not }) as Condition),
      ),
      g: fc.oneof(
        fc.array(tie('c'), { maxLength: 3 }).map((and) => ({ and })),
        fc.array(tie('c'), { maxLength: 3 }).map((or) => ({ or })),
      ),
    })).g;
    fc.assert(
      fc.property(model, (m) => {
        const found = problems(m);
        const sent = toWire(m);
        if (found.length === 0) {
          expect(sent).not.toBeNull();
          expect(() => parseFilter(sent, '/segment/conditions')).not.toThrow();
        } else if (sent !== null) {
          // The server refuses what the builder flags, or the builder is merely stricter (blank names).
          let serverOk = true;
          try {
            parseFilter(sent, '/segment/conditions');
          } catch {
            serverOk = false;
          }
          if (!serverOk) expect(found.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps rows at stable pointers: root, not, device and event data always hold a group', () => {
    const model = toModel({
      not: { attribute: { field: 'plan', operator: 'exists' } },
    });
    expect(model).toEqual({
      and: [{ not: { and: [{ attribute: { field: 'plan', operator: 'exists' } }] } }],
    });
    expect(toModel({ device: ANY_DEVICE })).toEqual({ and: [{ device: { and: [] } }] });
    expect(toWire({ and: [{ device: { and: [] } }] })).toEqual({ and: [{ device: ANY_DEVICE }] });
    expect(toWire({ and: [{ event: { name: 'x', where: { and: [] } } }] })).toEqual({
      and: [{ event: { name: 'x' } }],
    });
    expect(toWire({ and: [] })).toBeNull();
    expect(toModel(null)).toEqual({ and: [] });
  });

  it('sends numbers typed into numeric comparisons as numbers', () => {
    expect(toWire({ and: [{ attribute: { field: 'seats', operator: 'gte', value: ' 10 ' } }] })).toEqual({
      and: [{ attribute: { field: 'seats', operator: 'gte', value: 10 } }],
    });
    expect(toWire({ and: [{ attribute: { field: 'zip', operator: 'eq', value: '02134' } }] })).toEqual({
      and: [{ attribute: { field: 'zip', operator: 'eq', value: '02134' } }],
    });
  });

  it('names the row of each problem in plain words', () => {
    const m: GroupCondition = {
      and: [
        { attribute: { field: 'seats', operator: 'gt', value: 'ten' } },
        { device: { and: [{ attribute: { field: '', operator: 'eq', value: 'ios' } }] } },
        {
          event: {
            name: 'purchase',
            where: { and: [{ attribute: { field: 'total', operator: 'eq', value: '' } }] },
          },
        },
        { or: [] },
        { segment: { id: 0 } },
      ],
    };
    expect(problems(m)).toEqual([
      { pointer: '/and/0', message: '“is greater than” needs a number, such as 10 or 2.5' },
      { pointer: '/and/1/device/and/0', message: 'needs a field name' },
      { pointer: '/and/2/event/where/and/0', message: '“equals” needs a value' },
      { pointer: '/and/3', message: 'this group is empty: add a condition to it or remove it' },
      { pointer: '/and/4', message: 'choose a segment' },
    ]);
    expect(problems({ and: [] })).toEqual([{ pointer: '', message: 'add at least one condition' }]);
    expect(problems({ and: [] }, { allowEmpty: true })).toEqual([]);
  });

  it('maps the server’s JSON pointer to the builder row that caused it', () => {
    const base = '/segment/conditions';
    expect(rowOf('/segment/conditions/and/1/attribute/value', base)).toBe('/and/1');
    expect(rowOf('/segment/conditions/and/2/device/and/0/attribute/field', base)).toBe('/and/2/device/and/0');
    expect(rowOf('/segment/conditions/and/0/event/where/or/3/attribute/value/1', base)).toBe(
      '/and/0/event/where/or/3',
    );
    expect(rowOf('/segment/conditions/and/0/not/and/0/segment/id', base)).toBe('/and/0/not/and/0');
    expect(rowOf('/segment/conditions/and', base)).toBe('');
    expect(rowOf('/segment/conditions', base)).toBe('');
    expect(rowOf('/segment/name', base)).toBeNull();
    expect(rowOf(undefined, base)).toBeNull();
    expect(rowOf('/filter/or/0/attribute/value', '/filter')).toBe('/or/0');
  });

  it('says server errors in plain words', () => {
    expect(plainWords('invalid filter: gt compares numbers: value must be a number')).toBe(
      '“is greater than” needs a number, such as 10 or 2.5',
    );
    expect(plainWords('invalid filter: eq requires a value (reference 01JABC)')).toBe(
      '“equals” needs a value',
    );
    expect(plainWords('invalid filter: segment 9 does not exist')).toBe(
      'segment #9 does not exist (any more)',
    );
    expect(plainWords('invalid filter: segment references form a cycle: 3 → 5 → 3')).toBe(
      'segments would depend on each other in a loop (3 → 5 → 3)',
    );
    expect(plainWords('invalid filter: or must be a non-empty array of filters')).toBe(
      'this group is empty: add a condition to it or remove it',
    );
    expect(plainWords('something new')).toBe('something new');
  });

  it('describes conditions in words', () => {
    const names = (id: number) => (id === 4 ? 'VIP' : undefined);
    expect(describeConditions(null)).toBe('everyone');
    expect(describeConditions({ and: [] })).toBe('everyone');
    expect(
      describeConditions(
        {
          and: [
            { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
            { or: [{ segment: { id: 4 } }, { segment: { id: 7 } }] },
            { device: { and: [{ attribute: { field: 'platform', operator: 'eq', value: 'ios' } }] } },
          ],
        },
        names,
      ),
    ).toBe(
      'plan equals “pro” and (is in “VIP” or is in segment #7) and has a device where platform equals “ios”',
    );
    expect(describeConditions({ attribute: { field: 'seats', operator: 'gte', value: 10 } })).toBe(
      'seats is at least 10',
    );
    expect(describeConditions({ attribute: { field: 'plan', operator: 'in', value: ['a', 'b'] } })).toBe(
      'plan is one of “a”, “b”',
    );
    expect(describeConditions({ attribute: { field: 'trial', operator: 'exists', inverse: true } })).toBe(
      'trial does not exist',
    );
    expect(
      describeConditions({ attribute: { field: 'plan', operator: 'eq', value: 'pro', inverse: true } }),
    ).toBe('plan does not equal “pro”');
    expect(describeConditions({ device: ANY_DEVICE })).toBe('has a device');
    expect(
      describeConditions({
        not: { device: { attribute: { field: 'platform', operator: 'eq', value: 'ios' } } },
      }),
    ).toBe('has no device where platform equals “ios”');
    expect(
      describeConditions({
        event: {
          name: 'purchase',
          count: { operator: 'gte', value: 3 },
          within: '30d',
          where: { attribute: { field: 'total', operator: 'gt', value: 100 } },
        },
      }),
    ).toBe('did “purchase” at least 3 times in the last 30 days with total is greater than 100');
    expect(
      describeConditions({ event: { name: 'purchase', count: { operator: 'eq', value: 0 }, within: '1w' } }),
    ).toBe('never did “purchase” in the last 1 week');
    expect(describeConditions({ event: { name: '/pricing', type: 'page' } })).toBe(
      'viewed the page “/pricing”',
    );
  });
});

describe('object conditions in the builder model', () => {
  /** The example of docs/objects.md "Segments on objects". */
  const documented: Condition = {
    object: {
      type_id: '1',
      where: { attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } },
      relationship: { attribute: { field: 'role', operator: 'eq', value: 'admin' } },
    },
  };

  it('reads the documented condition into rows and sends back what the server takes', () => {
    const model = toModel(documented);
    expect(model).toEqual({
      and: [
        {
          object: {
            type_id: '1',
            where: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } }] },
            relationship: { and: [{ attribute: { field: 'role', operator: 'eq', value: 'admin' } }] },
          },
        },
      ],
    });
    expect(problems(model)).toEqual([]);
    const sent = toWire(model)!;
    expect(() => parseFilter(sent, '/segment/conditions')).not.toThrow();
    expect(toModel(sent)).toEqual(model);
    expect(toWire(toModel(sent))).toEqual(sent);
  });

  it('builds "related to a Company whose plan is enterprise, as admin" row by row', () => {
    // What the builder does: add the kind, choose the type, add a row to each group.
    const added = blank('object');
    expect(problems({ and: [added] })).toEqual([{ pointer: '/and/0', message: 'choose an object type' }]);
    const chosen = { object: { ...(added as { object: object }).object, type_id: '1' } } as Condition;
    // A type and nothing else: related to any object of the type; empty groups are left out.
    expect(toWire({ and: [chosen] })).toEqual({ and: [{ object: { type_id: '1' } }] });
    const filled: GroupCondition = {
      and: [
        {
          object: {
            type_id: '1',
            where: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } }] },
            relationship: {
              or: [{ attribute: { field: 'role', operator: 'in', value: ['admin', 'owner'] } }],
            },
          },
        },
        { not: { and: [{ object: { type_id: '2', where: { and: [] }, relationship: { and: [] } } }] } },
      ],
    };
    expect(problems(filled)).toEqual([]);
    const sent = toWire(filled)!;
    expect(sent).toEqual({
      and: [
        {
          object: {
            type_id: '1',
            where: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } }] },
            relationship: {
              or: [{ attribute: { field: 'role', operator: 'in', value: ['admin', 'owner'] } }],
            },
          },
        },
        { not: { and: [{ object: { type_id: '2' } }] } },
      ],
    });
    expect(() => parseFilter(sent, '/segment/conditions')).not.toThrow();
    expect(toModel(sent)).toEqual(filled);
  });

  it('sends numbers typed into numeric comparisons on objects and relationships as numbers', () => {
    const sent = toWire({
      and: [
        {
          object: {
            type_id: '1',
            where: { and: [{ attribute: { field: 'seats', operator: 'gte', value: ' 10 ' } }] },
            relationship: { and: [{ attribute: { field: 'since', operator: 'lt', value: '2020' } }] },
          },
        },
      ],
    });
    expect(sent).toEqual({
      and: [
        {
          object: {
            type_id: '1',
            where: { and: [{ attribute: { field: 'seats', operator: 'gte', value: 10 } }] },
            relationship: { and: [{ attribute: { field: 'since', operator: 'lt', value: 2020 } }] },
          },
        },
      ],
    });
  });

  it('puts each problem on its row inside the object condition', () => {
    const m: GroupCondition = {
      and: [
        {
          object: {
            type_id: '',
            where: { and: [{ attribute: { field: '', operator: 'eq', value: 'x' } }] },
            relationship: {
              and: [{ attribute: { field: 'role', operator: 'eq', value: '' } }, { segment: { id: 3 } }],
            },
          },
        },
      ],
    };
    expect(problems(m)).toEqual([
      { pointer: '/and/0', message: 'choose an object type' },
      { pointer: '/and/0/object/where/and/0', message: 'needs a field name' },
      { pointer: '/and/0/object/relationship/and/0', message: '“equals” needs a value' },
      {
        pointer: '/and/0/object/relationship/and/1',
        message: 'only attributes can be tested inside a relationship’s attributes',
      },
    ]);
    const base = '/segment/conditions';
    expect(rowOf('/segment/conditions/and/0/object/where/and/1/attribute/value', base)).toBe(
      '/and/0/object/where/and/1',
    );
    expect(rowOf('/segment/conditions/and/0/object/type_id', base)).toBe('/and/0');
    expect(plainWords('invalid filter: object.type_id must be an object type id such as "1"')).toBe(
      'choose an object type',
    );
  });

  it('describes object conditions in words, with the type’s name when known', () => {
    const types = (id: string) => (id === '1' ? { name: 'Companies', singular: 'Company' } : undefined);
    expect(describeConditions(documented, undefined, types)).toBe(
      'is related to a Company whose plan equals “enterprise”, where the relationship has role equals “admin”',
    );
    expect(describeConditions({ object: { type_id: '3' } })).toBe('is related to an object of type 3');
    expect(describeConditions({ not: { object: { type_id: '1' } } }, undefined, types)).toBe(
      'is related to no Company',
    );
    expect(
      describeConditions(
        {
          and: [
            { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
            {
              object: {
                type_id: '1',
                where: {
                  or: [
                    { attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } },
                    { attribute: { field: 'seats', operator: 'gt', value: 100 } },
                  ],
                },
              },
            },
          ],
        },
        undefined,
        types,
      ),
    ).toBe(
      'plan equals “pro” and is related to a Company whose (plan equals “enterprise” or seats is greater than 100)',
    );
  });
});
