import { InvalidInputError } from '../lib/errors.js';
import {
  ATTRIBUTE_OPERATORS,
  COUNT_OPERATORS,
  NUMERIC_OPERATORS,
  type AttributeNode,
  type AttributeOperator,
  type AttributeTarget,
  type CountOperator,
  type DeviceField,
  type EventNode,
  type FilterNode,
  type JsonPath,
  type PersonField,
} from './ast.js';
import { parseNumericText } from './values.js';

/** Deep enough for any hand-written audience, shallow enough that a hostile body cannot blow the stack. */
export const MAX_FILTER_DEPTH = 32;
/** Nodes per filter; each becomes a SQL predicate. */
export const MAX_FILTER_NODES = 500;
/** Entries in an `in` list. */
export const MAX_IN_VALUES = 1000;
/**
 * `in` values in a whole filter: each is bound as its own SQL parameter, and SQLite takes at most
 * 32,766 per statement (PostgreSQL 65,535), so a filter that passed parsing could still fail.
 */
export const MAX_IN_VALUES_TOTAL = 10_000;
/**
 * `event` conditions per filter. Each one reads the person's events for every person considered
 * (a correlated subquery), so they dominate a filter's cost: on 79,000 people 16 took 0.4 s and 64
 * took 11 s on SQLite. Audiences that need more combine saved segments (`segment` conditions read
 * one membership row each).
 */
export const MAX_EVENT_CONDITIONS = 20;
/** `device` conditions per filter (each a subquery over the person's devices, like `event`). */
export const MAX_DEVICE_CONDITIONS = 20;
/** `object` conditions per filter (each a subquery over the person's relationships, like `event`). */
export const MAX_OBJECT_CONDITIONS = 20;
/** Object type ids are positive integers as strings ("1"), as the Track API takes them. */
const TYPE_ID = /^[1-9][0-9]{0,8}$/;

const PERSON_FIELDS: readonly PersonField[] = ['id', 'email', 'cio_id', 'unsubscribed'];
const DEVICE_FIELDS: readonly DeviceField[] = ['id', 'platform', 'last_used', '_last_status'];
const EVENT_TYPES = ['event', 'page', 'screen'];

/**
 * Where a filter is: `person` at the top (every node kind), `device` inside `device: {…}` (fields
 * are device fields), `event` inside `event.where` (fields are keys of the event's data).
 */
export type FilterScope = 'person' | 'device' | 'event' | 'object' | 'relationship';

const SCOPE_NAMES: Record<Exclude<FilterScope, 'person'>, string> = {
  device: 'device',
  event: 'event.where',
  object: 'object.where',
  relationship: 'object.relationship',
};

function invalid(pointer: string, message: string): InvalidInputError {
  return new InvalidInputError(pointer, `invalid filter: ${message}`, 'invalid_filter');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Attribute values compare as strings: `true` → "true", `30` → "30" (docs/segments.md
 * "Attributes").
 */
function valueText(v: unknown, pointer: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw invalid(pointer, 'value must be a string, number or boolean');
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], here: string): void {
  for (const k of Object.keys(body))
    if (!allowed.includes(k))
      throw invalid(`${here}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, `unknown key ${k}`);
}

/**
 * `address.city` → try the top-level key `address.city` first, then the path address → city.
 * A backslash escapes a dot (`a\.b` is only the key `a.b`) or a backslash.
 */
export function parseFieldPath(field: string): JsonPath {
  if (!field.includes('.')) return { alternatives: [[field]] };
  if (!field.includes('\\')) return { alternatives: [[field], field.split('.')] };
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < field.length; i++) {
    const ch = field[i]!;
    if (ch === '\\' && i + 1 < field.length) cur += field[++i]!;
    else if (ch === '.') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return { alternatives: [parts] };
}

/** `30d`, `12h`, `90m`, `45s`, `2w` → seconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,9})([smhdw])$/.exec(text);
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const seconds = Number(m[1]) * unit;
  return seconds > 0 ? seconds : null;
}

/**
 * Validates a filter from a request body and returns its typed AST. Throws `InvalidInputError`
 * whose `field` is the JSON pointer of the offending node (rendered as `source.pointer`).
 *
 * @example parseFilter({ and: [{ segment: { id: 4 } }, { attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] })
 */
export function parseFilter(input: unknown, pointer = '/filter'): FilterNode {
  let nodes = 0;
  let events = 0;
  let devices = 0;
  let objects = 0;
  const inValues = { total: 0 };
  const walk = (raw: unknown, at: string, depth: number, scope: FilterScope): FilterNode => {
    if (depth > MAX_FILTER_DEPTH) throw invalid(at, `nesting is deeper than ${MAX_FILTER_DEPTH} levels`);
    if (++nodes > MAX_FILTER_NODES) throw invalid(at, `more than ${MAX_FILTER_NODES} filter nodes`);
    if (!isObject(raw)) throw invalid(at, 'a filter must be an object');
    const keys = Object.keys(raw);
    const allowed =
      scope === 'person'
        ? 'and, or, not, segment, attribute, device, event, object'
        : 'and, or, not, attribute';
    if (keys.length !== 1) throw invalid(at, `a filter object takes exactly one of ${allowed}`);
    const key = keys[0]!;
    const body = raw[key];
    const here = `${at}/${key}`;
    if (scope !== 'person' && ['segment', 'device', 'event', 'object'].includes(key))
      throw invalid(here, `${key} is not allowed inside ${SCOPE_NAMES[scope]}`);
    switch (key) {
      case 'and':
      case 'or': {
        if (!Array.isArray(body) || body.length === 0)
          throw invalid(here, `${key} must be a non-empty array of filters`);
        const children = body.map((c, i) => walk(c, `${here}/${i}`, depth + 1, scope));
        return { kind: key, children, pointer: at };
      }
      case 'not':
        if (!isObject(body)) throw invalid(here, 'not takes a single filter object');
        return { kind: 'not', child: walk(body, here, depth + 1, scope), pointer: at };
      case 'segment':
        return parseSegmentCondition(body, here, at);
      case 'attribute':
        return parseAttribute(body, here, at, scope, inValues);
      case 'device':
        if (++devices > MAX_DEVICE_CONDITIONS)
          throw invalid(
            at,
            `more than ${MAX_DEVICE_CONDITIONS} device conditions; combine saved segments with segment conditions instead`,
          );
        if (!isObject(body)) throw invalid(here, 'device takes a single filter object over device fields');
        return { kind: 'device', filter: walk(body, here, depth + 1, 'device'), pointer: at };
      case 'event':
        if (++events > MAX_EVENT_CONDITIONS)
          throw invalid(
            at,
            `more than ${MAX_EVENT_CONDITIONS} event conditions; combine saved segments with segment conditions instead`,
          );
        return parseEvent(body, here, at, (w) => walk(w, `${here}/where`, depth + 1, 'event'));
      case 'object': {
        if (++objects > MAX_OBJECT_CONDITIONS)
          throw invalid(
            at,
            `more than ${MAX_OBJECT_CONDITIONS} object conditions; combine saved segments with segment conditions instead`,
          );
        if (!isObject(body)) throw invalid(here, 'object must be an object {type_id, where?, relationship?}');
        onlyKeys(body, ['type_id', 'where', 'relationship'], here);
        const typeId = typeof body.type_id === 'number' ? String(body.type_id) : body.type_id;
        if (typeof typeId !== 'string' || !TYPE_ID.test(typeId))
          throw invalid(`${here}/type_id`, 'object.type_id must be an object type id such as "1"');
        return {
          kind: 'object',
          typeId,
          where: body.where === undefined ? null : walk(body.where, `${here}/where`, depth + 1, 'object'),
          relationship:
            body.relationship === undefined
              ? null
              : walk(body.relationship, `${here}/relationship`, depth + 1, 'relationship'),
          pointer: at,
        };
      }
      default:
        throw invalid(here, `unknown filter key ${key}`);
    }
  };
  return walk(input, pointer, 1, 'person');
}

/** `{segment: {id}}`: a saved segment's members. */
function parseSegmentCondition(body: unknown, here: string, at: string): FilterNode {
  if (!isObject(body)) throw invalid(here, 'segment must be an object {id}');
  onlyKeys(body, ['id'], here);
  const id = typeof body.id === 'string' && /^\d+$/.test(body.id) ? Number(body.id) : body.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
    throw invalid(`${here}/id`, 'segment.id must be a positive integer');
  return { kind: 'segment', segmentId: id, pointer: at };
}

function parseEvent(
  body: unknown,
  here: string,
  at: string,
  parseWhere: (raw: unknown) => FilterNode,
): EventNode {
  if (!isObject(body)) throw invalid(here, 'event must be an object {name, count?, within?, where?}');
  onlyKeys(body, ['name', 'type', 'count', 'within', 'where'], here);
  if (typeof body.name !== 'string' || body.name === '')
    throw invalid(`${here}/name`, 'event.name is required');
  let type = 'event';
  if (body.type !== undefined) {
    if (typeof body.type !== 'string' || !EVENT_TYPES.includes(body.type))
      throw invalid(`${here}/type`, `event.type must be one of ${EVENT_TYPES.join(', ')}`);
    type = body.type;
  }
  let count: EventNode['count'] = { operator: 'gte', value: 1 };
  if (body.count !== undefined) {
    const c = body.count;
    if (!isObject(c)) throw invalid(`${here}/count`, 'event.count must be an object {operator, value}');
    onlyKeys(c, ['operator', 'value'], `${here}/count`);
    if (typeof c.operator !== 'string' || !COUNT_OPERATORS.includes(c.operator as CountOperator))
      throw invalid(
        `${here}/count/operator`,
        `event.count.operator must be one of ${COUNT_OPERATORS.join(', ')}`,
      );
    if (typeof c.value !== 'number' || !Number.isSafeInteger(c.value) || c.value < 0)
      throw invalid(`${here}/count/value`, 'event.count.value must be a non-negative integer');
    count = { operator: c.operator as CountOperator, value: c.value };
  }
  let withinSeconds: number | null = null;
  let within: string | null = null;
  if (body.within !== undefined) {
    const seconds = typeof body.within === 'string' ? parseDuration(body.within) : null;
    if (seconds === null)
      throw invalid(`${here}/within`, 'event.within must be a duration such as "30d", "12h", "90m"');
    withinSeconds = seconds;
    within = body.within as string;
  }
  const where = body.where === undefined ? null : parseWhere(body.where);
  return { kind: 'event', name: body.name, type, count, withinSeconds, within, where, pointer: at };
}

function targetOf(field: string, scope: FilterScope): AttributeTarget {
  if (scope === 'person' && PERSON_FIELDS.includes(field as PersonField))
    return { kind: 'person', field: field as PersonField };
  if (scope === 'device' && DEVICE_FIELDS.includes(field as DeviceField))
    return { kind: 'device', field: field as DeviceField };
  return { kind: 'json', path: parseFieldPath(field) };
}

function parseAttribute(
  body: unknown,
  here: string,
  at: string,
  scope: FilterScope,
  inValues: { total: number },
): AttributeNode {
  if (!isObject(body)) throw invalid(here, 'attribute must be an object {field, operator, value?}');
  onlyKeys(body, ['field', 'operator', 'value', 'inverse'], here);
  const { field, operator, value, inverse } = body;
  if (typeof field !== 'string' || field === '')
    throw invalid(`${here}/field`, 'attribute.field is required');
  if (typeof operator !== 'string' || !ATTRIBUTE_OPERATORS.includes(operator as AttributeOperator))
    throw invalid(`${here}/operator`, `attribute.operator must be one of ${ATTRIBUTE_OPERATORS.join(', ')}`);
  if (inverse !== undefined && typeof inverse !== 'boolean')
    throw invalid(`${here}/inverse`, 'attribute.inverse must be a boolean');
  const op = operator as AttributeOperator;
  let text: string | null = null;
  let number: number | null = null;
  let values: string[] | null = null;
  if (op !== 'exists' && (value === undefined || value === null))
    throw invalid(`${here}/value`, `${op} requires a value`);
  if (op === 'in') {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES)
      throw invalid(`${here}/value`, `in requires a list of 1 to ${MAX_IN_VALUES} values`);
    inValues.total += value.length;
    if (inValues.total > MAX_IN_VALUES_TOTAL)
      throw invalid(`${here}/value`, `more than ${MAX_IN_VALUES_TOTAL} in values in one filter`);
    values = value.map((v, i) => valueText(v, `${here}/value/${i}`));
  } else if (NUMERIC_OPERATORS.includes(op)) {
    number =
      typeof value === 'number' && Number.isFinite(value)
        ? value
        : typeof value === 'string'
          ? parseNumericText(value)
          : null;
    if (number === null) throw invalid(`${here}/value`, `${op} compares numbers: value must be a number`);
  } else if (op !== 'exists') {
    text = valueText(value, `${here}/value`);
  }
  return {
    kind: 'attribute',
    field,
    target: targetOf(field, scope),
    operator: op,
    value: text,
    number,
    values,
    inverse: inverse === true,
    pointer: at,
  };
}
