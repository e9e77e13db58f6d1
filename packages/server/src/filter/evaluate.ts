import type { AttributeNode, DeviceNode, EventNode, FilterNode, ObjectNode } from './ast.js';
import {
  ABSENT,
  applyOperator,
  compareCount,
  parseNumericText,
  readJsonPath,
  truthy,
  viewOfJson,
  type ScalarView,
} from './values.js';
import { emailKey } from '../lib/email.js';

/** One person as the in-memory evaluator sees them: what a write just left in the store. */
export interface PersonFacts {
  id: string | null;
  email: string | null;
  cioId: string;
  attributes: Record<string, unknown>;
  unsubscribed: boolean;
}

export interface DeviceFacts {
  token: string;
  platform: string;
  lastUsed: number;
  lastStatus: string;
  attributes: Record<string, unknown>;
}

export interface EventFacts {
  type: string;
  name: string;
  timestamp: number;
  /** Only loaded when some condition filters on event data. */
  data: unknown;
}

/** One of the person's relationships, with the object at its other end (docs/objects.md). */
export interface RelationshipFacts {
  typeId: string;
  objectId: string;
  cioObjectId: string;
  /** The object's attributes. */
  object: Record<string, unknown>;
  /** The relationship's own attributes. */
  attributes: Record<string, unknown>;
}

export interface EvalContext {
  person: PersonFacts;
  devices: readonly DeviceFacts[];
  /** The person's relationships, at least those to the object types conditions are about. */
  relationships?: readonly RelationshipFacts[];
  /** The person's events, at least those of the names the filter counts. */
  events: readonly EventFacts[];
  /** Membership in another segment (dynamic ones evaluated earlier in the same pass). */
  inSegment(id: number): boolean;
  /** Unix seconds; `within` windows end here. */
  now: number;
}

/** Per-node explanation: `GET /v1/segments/:id/explain`. */
export interface Explanation {
  node: unknown;
  pointer: string;
  result: boolean;
  seen?: unknown;
  children?: Explanation[];
}

function textView(s: string | null): ScalarView {
  return s === null ? ABSENT : { present: true, text: s, number: parseNumericText(s) };
}

function personValue(
  node: AttributeNode,
  p: PersonFacts,
): { view: ScalarView; normalize?: (s: string) => string } {
  const t = node.target;
  if (t.kind === 'json') return { view: viewOfJson(readJsonPath(p.attributes, t.path)) };
  if (t.kind === 'device') return { view: ABSENT };
  switch (t.field) {
    case 'id':
      return { view: textView(p.id) };
    case 'email':
      // Emails are identifiers and compare case-insensitively (docs/track-api.md §3).
      return { view: textView(p.email === null ? null : emailKey(p.email)), normalize: emailKey };
    case 'cio_id':
      return { view: textView(p.cioId), normalize: (s) => s.replace(/^cio_/, '') };
    case 'unsubscribed':
      return { view: { present: true, text: p.unsubscribed ? 'true' : 'false', number: null } };
  }
}

function deviceValue(node: AttributeNode, d: DeviceFacts): ScalarView {
  const t = node.target;
  if (t.kind === 'json') return viewOfJson(readJsonPath(d.attributes, t.path));
  if (t.kind === 'person') return ABSENT;
  switch (t.field) {
    case 'id':
      return textView(d.token);
    case 'platform':
      return textView(d.platform);
    case 'last_used':
      return { present: true, text: String(d.lastUsed), number: d.lastUsed };
    case '_last_status':
      // "" means "unused" (docs/segments.md "Devices"): present only once something was sent.
      return d.lastStatus === '' ? { present: false, text: '', number: null } : textView(d.lastStatus);
  }
}

/** The `unsubscribed` field keeps the search filter's rules: exists = is unsubscribed, eq = truthiness. */
function unsubscribedTest(node: AttributeNode, p: PersonFacts): boolean | null {
  if (node.target.kind !== 'person' || node.target.field !== 'unsubscribed') return null;
  if (node.operator === 'exists') return p.unsubscribed;
  if (node.operator === 'eq') return p.unsubscribed === truthy(node.value ?? '');
  if (node.operator === 'ne') return p.unsubscribed !== truthy(node.value ?? '');
  return null;
}

type Scope =
  | { kind: 'person' }
  | { kind: 'device'; device: DeviceFacts }
  | { kind: 'event'; data: unknown }
  | { kind: 'object'; rel: RelationshipFacts }
  | { kind: 'relationship'; rel: RelationshipFacts };

/**
 * An object's values: its attributes, with `object_id` and `cio_object_id` its identifiers (they
 * win over attributes of those names, as the SQL compiler reads the columns).
 */
function objectValue(node: AttributeNode, rel: RelationshipFacts): ScalarView {
  const t = node.target;
  const path = t.kind === 'json' ? t.path : { alternatives: [[t.field]] };
  const only = path.alternatives.length === 1 ? path.alternatives[0]! : [];
  if (only.length === 1 && only[0] === 'object_id') return textView(rel.objectId);
  if (only.length === 1 && only[0] === 'cio_object_id') return textView(rel.cioObjectId);
  return viewOfJson(readJsonPath(rel.object, path));
}

function attributeSeen(
  node: AttributeNode,
  ctx: EvalContext,
  scope: Scope,
): { result: boolean; seen: unknown } {
  let view: ScalarView;
  let result: boolean;
  if (scope.kind === 'person') {
    const special = unsubscribedTest(node, ctx.person);
    const v = personValue(node, ctx.person);
    view = v.view;
    result = special ?? applyOperator(node, view, v.normalize);
  } else if (scope.kind === 'device') {
    view = deviceValue(node, scope.device);
    result = applyOperator(node, view);
  } else if (scope.kind === 'object') {
    view = objectValue(node, scope.rel);
    result = applyOperator(node, view);
  } else {
    const t = node.target;
    const data = scope.kind === 'event' ? scope.data : scope.rel.attributes;
    view = t.kind === 'json' ? viewOfJson(readJsonPath(data, t.path)) : ABSENT;
    result = applyOperator(node, view);
  }
  return { result: node.inverse ? !result : result, seen: view.present ? (view.text ?? '(object)') : null };
}

function eventsOf(node: EventNode, ctx: EvalContext): EventFacts[] {
  const from = node.withinSeconds === null ? null : ctx.now - node.withinSeconds;
  return ctx.events.filter(
    (e) =>
      e.name === node.name &&
      e.type === node.type &&
      (from === null || e.timestamp >= from) &&
      (node.where === null || evalIn(node.where, ctx, { kind: 'event', data: e.data })),
  );
}

/** The relationships that satisfy an object condition (its where and relationship parts together). */
function relationshipsOf(node: ObjectNode, ctx: EvalContext): RelationshipFacts[] {
  return (ctx.relationships ?? []).filter(
    (rel) =>
      rel.typeId === node.typeId &&
      (node.where === null || evalIn(node.where, ctx, { kind: 'object', rel })) &&
      (node.relationship === null || evalIn(node.relationship, ctx, { kind: 'relationship', rel })),
  );
}

function evalIn(node: FilterNode, ctx: EvalContext, scope: Scope): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => evalIn(c, ctx, scope));
    case 'or':
      return node.children.some((c) => evalIn(c, ctx, scope));
    case 'not':
      return !evalIn(node.child, ctx, scope);
    case 'segment':
      return ctx.inSegment(node.segmentId);
    case 'attribute':
      return attributeSeen(node, ctx, scope).result;
    case 'device':
      return ctx.devices.some((device) => evalIn(node.filter, ctx, { kind: 'device', device }));
    case 'event':
      return compareCount(eventsOf(node, ctx).length, node.count.operator, node.count.value);
    case 'object':
      return relationshipsOf(node, ctx).length > 0;
  }
}

/**
 * The in-memory evaluator: does this person match? Runs on every write for every dynamic segment,
 * so it only walks the tree; the SQL compiler implements the same rules for whole populations.
 */
export function evaluate(node: FilterNode, ctx: EvalContext): boolean {
  return evalIn(node, ctx, { kind: 'person' });
}

/** Evaluates like `evaluate`, recording every node's result and the values it saw. */
export function explain(node: FilterNode, ctx: EvalContext, scope: Scope = { kind: 'person' }): Explanation {
  const base = { pointer: node.pointer };
  switch (node.kind) {
    case 'and':
    case 'or': {
      const children = node.children.map((c) => explain(c, ctx, scope));
      const result = node.kind === 'and' ? children.every((c) => c.result) : children.some((c) => c.result);
      return { node: node.kind, ...base, result, children };
    }
    case 'not': {
      const child = explain(node.child, ctx, scope);
      return { node: 'not', ...base, result: !child.result, children: [child] };
    }
    case 'segment': {
      const member = ctx.inSegment(node.segmentId);
      return { node: { segment: { id: node.segmentId } }, ...base, result: member, seen: { member } };
    }
    case 'attribute':
      return explainAttribute(node, ctx, scope);
    case 'device':
      return explainDevice(node, ctx);
    case 'event':
      return explainEvent(node, ctx);
    case 'object':
      return explainObject(node, ctx);
  }
}

function explainAttribute(node: AttributeNode, ctx: EvalContext, scope: Scope): Explanation {
  const base = { pointer: node.pointer };
  const { result, seen } = attributeSeen(node, ctx, scope);
  const value =
    node.operator === 'in'
      ? node.values
      : node.operator === 'exists'
        ? undefined
        : (node.number ?? node.value);
  return {
    node: {
      attribute: {
        field: node.field,
        operator: node.operator,
        value,
        inverse: node.inverse || undefined,
      },
    },
    ...base,
    result,
    seen,
  };
}

/** A device condition: each device's result, and the inner tree of the matching (or first) one. */
function explainDevice(node: DeviceNode, ctx: EvalContext): Explanation {
  const base = { pointer: node.pointer };
  const per = ctx.devices.map((device) => ({
    device,
    tree: explain(node.filter, ctx, { kind: 'device', device }),
  }));
  const match = per.find((d) => d.tree.result);
  const shown = match ?? per[0];
  return {
    node: 'device',
    ...base,
    result: match !== undefined,
    seen: {
      devices: per.map((d) => ({
        id: d.device.token,
        platform: d.device.platform,
        result: d.tree.result,
      })),
    },
    // The inner tree for the matching device, or for the first device when none matches.
    ...(shown ? { children: [shown.tree] } : {}),
  };
}

function explainEvent(node: EventNode, ctx: EvalContext): Explanation {
  const base = { pointer: node.pointer };
  const matched = eventsOf(node, ctx);
  return {
    node: {
      event: { name: node.name, type: node.type, count: node.count, within: node.within ?? undefined },
    },
    ...base,
    result: compareCount(matched.length, node.count.operator, node.count.value),
    seen: {
      count: matched.length,
      since: node.withinSeconds === null ? null : ctx.now - node.withinSeconds,
      last: matched.reduce<number | null>((m, e) => (m === null || e.timestamp > m ? e.timestamp : m), null),
    },
  };
}

function explainObject(node: ObjectNode, ctx: EvalContext): Explanation {
  const base = { pointer: node.pointer };
  // Names the objects that made the difference: the matching ones (or, when none matches, the
  // person's objects of that type, each with why not).
  const ofType = (ctx.relationships ?? []).filter((r) => r.typeId === node.typeId);
  const matched = relationshipsOf(node, ctx);
  const shown = matched[0] ?? ofType[0];
  const children: Explanation[] = [];
  if (shown && node.where) children.push(explain(node.where, ctx, { kind: 'object', rel: shown }));
  if (shown && node.relationship)
    children.push(explain(node.relationship, ctx, { kind: 'relationship', rel: shown }));
  return {
    node: { object: { type_id: node.typeId } },
    ...base,
    result: matched.length > 0,
    seen: {
      matching: matched.slice(0, 10).map((r) => ({ object_type_id: r.typeId, object_id: r.objectId })),
      related: ofType.length,
      ...(shown ? { shown: { object_type_id: shown.typeId, object_id: shown.objectId } } : {}),
    },
    ...(children.length > 0 ? { children } : {}),
  };
}
