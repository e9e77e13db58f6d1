import type { AttributeNode, CountOperator, JsonPath } from './ast.js';

/**
 * The value semantics both evaluators implement (the SQL compiler mirrors every rule here; the
 * property test in `test/segments/agreement.property.test.ts` holds them to it):
 *
 * - A value is *present* when it exists and is not JSON null. `exists` tests presence.
 * - Its *text*: strings as-is, numbers as decimal text, booleans `"true"`/`"false"`. Objects and
 *   arrays have no text: only `exists` (and dotted paths into them) can match them.
 * - Its *number*: a JSON number, or a string that is a plain decimal (`-12`, `3.5`; no exponent,
 *   no spaces). Anything else has no number, so `gt`/`lt`… do not match it.
 * - Every comparison on an absent value is false; `inverse` negates the whole test afterwards.
 */
export interface ScalarView {
  present: boolean;
  text: string | null;
  number: number | null;
}

const PLAIN_DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

export function parseNumericText(s: string): number | null {
  return PLAIN_DECIMAL.test(s) ? Number(s) : null;
}

export const ABSENT: ScalarView = { present: false, text: null, number: null };

export function viewOfJson(v: unknown): ScalarView {
  if (v === undefined || v === null) return ABSENT;
  if (typeof v === 'string') return { present: true, text: v, number: parseNumericText(v) };
  if (typeof v === 'number') return { present: true, text: String(v), number: v };
  if (typeof v === 'boolean') return { present: true, text: v ? 'true' : 'false', number: null };
  return { present: true, text: null, number: null };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks object keys only: a path never indexes into an array (on either engine). */
export function readPath(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The first alternative whose top-level key is present wins (see `JsonPath`). */
export function readJsonPath(root: unknown, path: JsonPath): unknown {
  if (!isPlainObject(root)) return undefined;
  for (const alt of path.alternatives) if (Object.hasOwn(root, alt[0]!)) return readPath(root, alt);
  return undefined;
}

/** Values that count as a true `unsubscribed` ("true", "TRUE", "1"; docs/track-api.md §4). */
export function truthy(text: string): boolean {
  return ['true', '1'].includes(text.trim().toLowerCase());
}

/** Applies an attribute node's operator to a value (before `inverse`). */
export function applyOperator(
  node: AttributeNode,
  v: ScalarView,
  normalize: (s: string) => string = (s) => s,
): boolean {
  switch (node.operator) {
    case 'exists':
      return v.present;
    case 'eq':
      return v.text !== null && v.text === normalize(node.value ?? '');
    case 'ne':
      return v.text !== null && v.text !== normalize(node.value ?? '');
    case 'contains':
      return v.text !== null && v.text.includes(normalize(node.value ?? ''));
    case 'starts_with':
      return v.text !== null && v.text.startsWith(normalize(node.value ?? ''));
    case 'in':
      return v.text !== null && (node.values ?? []).some((x) => normalize(x) === v.text);
    case 'gt':
      return v.number !== null && v.number > (node.number ?? 0);
    case 'gte':
      return v.number !== null && v.number >= (node.number ?? 0);
    case 'lt':
      return v.number !== null && v.number < (node.number ?? 0);
    case 'lte':
      return v.number !== null && v.number <= (node.number ?? 0);
  }
}

export function compareCount(count: number, op: CountOperator, value: number): boolean {
  switch (op) {
    case 'eq':
      return count === value;
    case 'ne':
      return count !== value;
    case 'gt':
      return count > value;
    case 'gte':
      return count >= value;
    case 'lt':
      return count < value;
    case 'lte':
      return count <= value;
  }
}
