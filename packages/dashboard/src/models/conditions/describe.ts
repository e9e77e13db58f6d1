import { ANY_DEVICE } from './model';
import { childrenOf, countLabel, isGroup, operatorLabel, type Condition } from './kinds';

/** Names segments in descriptions ("in “VIP”"); unknown ids read "segment #7". */
export type SegmentNames = (id: number) => string | undefined;
/** Names object types in descriptions (a Company); unknown ids read "an object of type 3". */
export type TypeNames = (typeId: string) => { name: string; singular: string } | undefined;

interface Namers {
  segment: SegmentNames;
  type: TypeNames;
}

const quote = (v: unknown) => `“${String(v)}”`;

const UNIT_WORDS: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  w: ['week', 'weeks'],
};

/** `30d` → "30 days"; anything else as written. */
export function durationWords(within: string): string {
  const m = /^(\d+)([smhdw])$/.exec(within);
  if (!m) return within;
  const n = Number(m[1]);
  const [one, many] = UNIT_WORDS[m[2]!]!;
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}

function attribute(a: Extract<Condition, { attribute: unknown }>['attribute']): string {
  const field = a.field || '(no field)';
  if (a.operator === 'exists') return `${field} ${a.inverse ? 'does not exist' : 'exists'}`;
  if (a.operator === 'eq' && a.inverse) return `${field} does not equal ${quote(a.value ?? '')}`;
  const value = Array.isArray(a.value)
    ? a.value.map(quote).join(', ')
    : ['gt', 'gte', 'lt', 'lte'].includes(a.operator)
      ? String(a.value ?? '')
      : quote(a.value ?? '');
  const text = `${field} ${operatorLabel(a.operator)} ${value}`;
  return a.inverse ? `not (${text})` : text;
}

function event(e: Extract<Condition, { event: unknown }>['event'], names: Namers): string {
  const what =
    e.type === 'page'
      ? `viewed the page ${quote(e.name)}`
      : e.type === 'screen'
        ? `viewed the screen ${quote(e.name)}`
        : `did ${quote(e.name)}`;
  const c = e.count ?? { operator: 'gte', value: 1 };
  const never = (c.operator === 'eq' && c.value === 0) || (c.operator === 'lt' && c.value === 1);
  let text = never ? `never ${what}` : what;
  if (!never && !(c.operator === 'gte' && c.value === 1))
    text += ` ${countLabel(c.operator)} ${c.value === 1 ? 'once' : `${c.value} times`}`;
  if (e.within) text += ` in the last ${durationWords(e.within)}`;
  if (e.where && !(isGroup(e.where) && childrenOf(e.where).length === 0))
    text += ` with ${inner(e.where, names)}`;
  return text;
}

function hasTest(c: Condition | undefined): c is Condition {
  return !!c && !(isGroup(c) && childrenOf(c).length === 0);
}

/** "is related to a Company whose plan equals “pro”, where the relationship has role equals “admin”". */
function object(o: Extract<Condition, { object: unknown }>['object'], names: Namers): string {
  const type = names.type(String(o.type_id));
  let text = type
    ? `is related to ${article(type.singular)} ${type.singular}`
    : `is related to an object of type ${String(o.type_id) || '(none)'}`;
  if (hasTest(o.where)) text += ` whose ${inner(o.where, names)}`;
  if (hasTest(o.relationship)) text += `, where the relationship has ${inner(o.relationship, names)}`;
  return text;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** A child inside a longer sentence: groups of several are bracketed. */
function inner(c: Condition, names: Namers): string {
  if (isGroup(c)) {
    const kids = childrenOf(c);
    if (kids.length === 1) return inner(kids[0]!, names);
    return `(${describe(c, names)})`;
  }
  return describe(c, names);
}

/**
 * Conditions in words, for lists and summaries: `plan equals “pro” and has a device where
 * platform equals “ios”`. An empty group reads "everyone".
 */
export function describeConditions(
  c: Condition | null | undefined,
  names: SegmentNames = () => undefined,
  types: TypeNames = () => undefined,
): string {
  return describe(c, { segment: names, type: types });
}

function describe(c: Condition | null | undefined, names: Namers): string {
  if (!c) return 'everyone';
  if (isGroup(c)) {
    const kids = childrenOf(c);
    if (kids.length === 0) return 'everyone';
    if (kids.length === 1) return describe(kids[0]!, names);
    return kids.map((k) => inner(k, names)).join('and' in c ? ' and ' : ' or ');
  }
  if ('not' in c) {
    const n = isGroup(c.not) && childrenOf(c.not).length === 1 ? childrenOf(c.not)[0]! : c.not;
    if ('device' in n) return describe(n, names).replace(/^has a device/, 'has no device');
    if ('object' in n) return describe(n, names).replace(/^is related to (a|an) /, 'is related to no ');
    return `not ${inner(n, names)}`;
  }
  if ('segment' in c) {
    const name = names.segment(c.segment.id);
    return `is in ${name ? quote(name) : `segment #${c.segment.id}`}`;
  }
  if ('attribute' in c) return attribute(c.attribute);
  if ('device' in c) {
    const d = c.device;
    if (JSON.stringify(d) === JSON.stringify(ANY_DEVICE) || (isGroup(d) && childrenOf(d).length === 0))
      return 'has a device';
    return `has a device where ${isGroup(d) ? describe(d, names) : inner(d, names)}`;
  }
  if ('event' in c) return event(c.event, names);
  if ('object' in c) return object(c.object, names);
  return JSON.stringify(c);
}
