import { childrenOf, isGroup, NUMERIC_OPERATORS, operatorLabel, type Condition } from './kinds';
import { DECIMAL } from './model';

/** Something that keeps conditions from being sent, on the row (JSON pointer; `''` = the whole). */
export interface Problem {
  pointer: string;
  message: string;
}

function valueProblem(a: Extract<Condition, { attribute: unknown }>['attribute']): string | null {
  if (!a.field.trim()) return 'needs a field name';
  if (a.operator === 'exists') return null;
  const v = a.value;
  if (a.operator === 'in') {
    if (!Array.isArray(v) || v.length === 0) return '“is one of” needs at least one value';
    return null;
  }
  if (v === undefined || v === '' || Array.isArray(v)) return `“${operatorLabel(a.operator)}” needs a value`;
  if (NUMERIC_OPERATORS.includes(a.operator) && typeof v !== 'number' && !DECIMAL.test(String(v).trim()))
    return `“${operatorLabel(a.operator)}” needs a number, such as 10 or 2.5`;
  return null;
}

type Scope = 'person' | 'device' | 'event' | 'object' | 'relationship';
const SCOPE_WORDS: Record<Scope, string> = {
  person: '',
  device: 'a device block',
  event: 'event data',
  object: 'an object’s attributes',
  relationship: 'a relationship’s attributes',
};

/** Object type ids as the server takes them: a positive integer as text ("1"). */
export const OBJECT_TYPE_ID = /^[1-9][0-9]{0,8}$/;

function walk(c: Condition, at: string, isRow: boolean, out: Problem[], scope: Scope = 'person'): void {
  if (scope !== 'person' && ('segment' in c || 'device' in c || 'event' in c || 'object' in c)) {
    out.push({ pointer: at, message: `only attributes can be tested inside ${SCOPE_WORDS[scope]}` });
    return;
  }
  if (isGroup(c)) {
    const kids = childrenOf(c);
    const key = 'and' in c ? 'and' : 'or';
    if (kids.length === 0 && isRow)
      out.push({ pointer: at, message: 'this group is empty: add a condition to it or remove it' });
    kids.forEach((k, i) => walk(k, `${at}/${key}/${i}`, true, out, scope));
    return;
  }
  if ('not' in c) {
    walk(c.not, `${at}/not`, false, out, scope);
    if (isGroup(c.not) && childrenOf(c.not).length === 0)
      out.push({ pointer: at, message: '“not” needs a condition inside it' });
    return;
  }
  if ('segment' in c) {
    if (!(c.segment.id > 0)) out.push({ pointer: at, message: 'choose a segment' });
    return;
  }
  if ('attribute' in c) {
    const p = valueProblem(c.attribute);
    if (p) out.push({ pointer: at, message: p });
    return;
  }
  if ('device' in c) {
    walk(c.device, `${at}/device`, false, out, 'device');
    return;
  }
  if ('event' in c) {
    const e = c.event;
    if (!e.name.trim()) out.push({ pointer: at, message: 'needs an event name' });
    else if (e.count && !(Number.isInteger(e.count.value) && e.count.value >= 0))
      out.push({ pointer: at, message: 'the count must be a whole number, 0 or more' });
    if (e.where) walk(e.where, `${at}/event/where`, false, out, 'event');
    return;
  }
  if ('object' in c) {
    const o = c.object;
    if (!OBJECT_TYPE_ID.test(String(o.type_id))) out.push({ pointer: at, message: 'choose an object type' });
    if (o.where) walk(o.where, `${at}/object/where`, false, out, 'object');
    if (o.relationship) walk(o.relationship, `${at}/object/relationship`, false, out, 'relationship');
  }
}

/** Every problem in a model, in reading order. An empty root is `{pointer: ''}`. */
export function problems(model: Condition, options: { allowEmpty?: boolean } = {}): Problem[] {
  const out: Problem[] = [];
  if (isGroup(model) && childrenOf(model).length === 0 && !options.allowEmpty)
    out.push({ pointer: '', message: 'add at least one condition' });
  walk(model, '', false, out);
  return out;
}
