import {
  childrenOf,
  isEmptyGroup,
  isGroup,
  NUMERIC_OPERATORS,
  type Condition,
  type GroupCondition,
} from './kinds';

/**
 * Conditions as read from the server ⇄ the builder's model. In the model the root, every `not`,
 * every `device`, every `event.where` and every `object.where` / `object.relationship` hold a group, so each row has one JSON pointer that is the
 * same in what the builder shows and in what it sends; the server's error pointers then name rows.
 */

/** "Has any device": a device's token always exists. The language has no empty groups. */
export const ANY_DEVICE: Condition = { attribute: { field: 'id', operator: 'exists' } };

/** Everybody: every person has a cio_id. */
export const EVERYONE: Condition = { attribute: { field: 'cio_id', operator: 'exists' } };

function group(c: Condition | undefined, inner: (c: Condition) => Condition): GroupCondition {
  if (!c) return { and: [] };
  if ('and' in c) return { and: c.and.map(inner) };
  if ('or' in c) return { or: c.or.map(inner) };
  return { and: [inner(c)] };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A node of the model (see the file comment). Unknown keys are kept as they are. */
function node(c: Condition): Condition {
  if (!c || typeof c !== 'object') return c;
  if ('and' in c && Array.isArray(c.and)) return { and: c.and.map(node) };
  if ('or' in c && Array.isArray(c.or)) return { or: c.or.map(node) };
  if ('not' in c) return { not: group(c.not, node) };
  if ('device' in c) return { device: sameJson(c.device, ANY_DEVICE) ? { and: [] } : group(c.device, node) };
  if ('event' in c) return { event: { ...c.event, where: group(c.event.where, node) } };
  if ('object' in c)
    return {
      object: {
        ...c.object,
        where: group(c.object.where, node),
        relationship: group(c.object.relationship, node),
      },
    };
  return c;
}

/** The model of conditions read from the server (null or absent: an empty group). */
export function toModel(raw: Condition | null | undefined): GroupCondition {
  return group(raw ?? undefined, node);
}

/** A plain decimal typed into a numeric comparison, as the server reads numbers out of text. */
export const DECIMAL = /^-?\d+(\.\d+)?$/;

function wire(c: Condition): Condition {
  if ('attribute' in c) {
    const a = c.attribute;
    // "10 " typed for "is greater than" is sent as the number 10.
    if (NUMERIC_OPERATORS.includes(a.operator) && typeof a.value === 'string' && DECIMAL.test(a.value.trim()))
      return { attribute: { ...a, value: Number(a.value.trim()) } };
    return c;
  }
  if ('and' in c) return { and: c.and.map(wire) };
  if ('or' in c) return { or: c.or.map(wire) };
  if ('not' in c) return { not: wire(c.not) };
  if ('device' in c) return { device: isEmptyGroup(c.device) ? ANY_DEVICE : wire(c.device) };
  if ('event' in c) {
    const { where, ...rest } = c.event;
    return { event: where && !isEmptyGroup(where) ? { ...rest, where: wire(where) } : rest };
  }
  if ('object' in c) {
    const { where, relationship, ...rest } = c.object;
    const out: typeof c.object = { ...rest };
    if (where && !isEmptyGroup(where)) out.where = wire(where);
    if (relationship && !isEmptyGroup(relationship)) out.relationship = wire(relationship);
    return { object: out };
  }
  return c;
}

/**
 * What the builder sends: null when the root is empty; an empty device block becomes "any
 * device", an empty event data filter and empty object / relationship tests are left out. Rows
 * keep their pointers.
 */
export function toWire(model: Condition): Condition | null {
  if (isGroup(model) && childrenOf(model).length === 0) return null;
  return wire(model);
}
