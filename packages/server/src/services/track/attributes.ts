import { dict, type AttrMap, type TsMap } from '../../store/track/people.js';

export interface AttributeChange {
  from: unknown;
  to: unknown;
}

export interface MergeResult {
  attributes: AttrMap;
  attrTs: TsMap;
  /** attribute (dotted for subscription topics) → {from, to}; only real changes. */
  changes: Record<string, AttributeChange>;
  /** Attributes left alone because they changed more recently than `at` (last write wins). */
  stale: string[];
  /** Whether any attribute's timestamp moved: the row must be written even without `changes`. */
  tsChanged: boolean;
}

/** Dot-path keys address one subscription topic without replacing the others (docs/track-api.md §4). */
const DOT_PATH_ROOT = 'cio_subscription_preferences';
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype', '']);

function dotPath(key: string): string[] | undefined {
  if (!key.startsWith(`${DOT_PATH_ROOT}.`)) return undefined;
  const parts = key.split('.');
  return parts.some((p) => UNSAFE_SEGMENTS.has(p)) ? undefined : parts;
}

/** `null` and `""` remove an attribute (docs/track-api.md §4). */
export function isRemoval(value: unknown): boolean {
  return value === null || value === '';
}

function same(a: unknown, b: unknown): boolean {
  // Most attributes are strings, numbers and booleans: no serialising for them.
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}

function own(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null && Object.hasOwn(obj, key)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Copies an object tree into prototype-less objects so writes by key can never reach a prototype. */
function cloneTree(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cloneTree);
  if (!isPlainObject(v)) return v;
  const out = dict();
  for (const [k, x] of Object.entries(v)) out[k] = cloneTree(x);
  return out;
}

function setPath(root: AttrMap, parts: string[], value: unknown): { from: unknown } {
  let node: Record<string, unknown> = root;
  for (const part of parts.slice(0, -1)) {
    const next = own(node, part);
    if (!isPlainObject(next)) {
      if (isRemoval(value)) return { from: undefined };
      node[part] = dict();
    } else node[part] = cloneTree(next);
    node = node[part] as Record<string, unknown>;
  }
  const leaf = parts[parts.length - 1]!;
  const from = own(node, leaf);
  if (isRemoval(value)) delete node[leaf];
  else node[leaf] = value;
  return { from };
}

/**
 * Merges an update into a person's attributes (docs/track-api.md §4): keys sent are set, keys not sent stay;
 * `null`/`""` remove; per attribute, an update older than the attribute's last accepted change
 * (`attrTs`) is ignored, so `_timestamp` makes updates last-write-wins whatever their arrival order.
 * Removal keeps the removal time, so an older update cannot bring a removed attribute back.
 */
export function mergeAttributes(
  current: AttrMap,
  currentTs: TsMap,
  updates: ReadonlyArray<readonly [string, unknown]>,
  at: number,
): MergeResult {
  const attributes = dict(current);
  const attrTs = dict(currentTs);
  const changes: Record<string, AttributeChange> = dict();
  const stale: string[] = [];
  let tsChanged = false;
  for (const [key, value] of updates) {
    const parts = dotPath(key);
    const root = parts ? DOT_PATH_ROOT : key;
    const last = Math.max(attrTs[key] ?? -Infinity, parts ? (attrTs[root] ?? -Infinity) : -Infinity);
    if (at < last) {
      stale.push(key);
      continue;
    }
    if (attrTs[key] !== at) {
      attrTs[key] = at;
      tsChanged = true;
    }
    if (parts) {
      const before = cloneTree(own(attributes, root));
      const tree = isPlainObject(before) ? (before as AttrMap) : dict();
      const holder = dict({ [root]: tree });
      const { from } = setPath(holder, parts, value);
      const next = holder[root];
      if (isPlainObject(next) && Object.keys(next).length > 0) attributes[root] = next;
      else delete attributes[root];
      const to = isRemoval(value) ? null : value;
      if (!same(from ?? null, to)) changes[key] = { from: from ?? null, to };
      continue;
    }
    const from = own(attributes, key);
    if (isRemoval(value)) delete attributes[key];
    else attributes[key] = cloneTree(value);
    const to = isRemoval(value) ? null : value;
    if (!same(from ?? null, to)) changes[key] = { from: from ?? null, to };
  }
  return { attributes, attrTs, changes, stale, tsChanged };
}

/** Customer.io: "any case of true … 1, or "1"" means unsubscribed; any other value subscribed. */
export function unsubscribedValue(value: unknown): boolean {
  if (value === true || value === 1) return true;
  if (typeof value === 'string') return value.toLowerCase() === 'true' || value === '1';
  return false;
}
