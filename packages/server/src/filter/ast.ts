/**
 * The typed form of an audience filter / segment condition (docs/segments.md "The language"),
 * produced by `parseFilter` and consumed by two evaluators that must agree: the SQL
 * compiler (`compile-filter.ts`, for search, counts and backfill) and the in-memory evaluator
 * (`evaluate.ts`, run for one person on every write). Every node remembers the JSON pointer it came
 * from, so errors found after parsing (an unknown segment, a cycle) still point at the right node.
 * The evaluators' `switch` statements are exhaustive: a new node kind or operator makes TypeScript
 * list every place to extend.
 */
export type AttributeOperator =
  'eq' | 'exists' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'starts_with' | 'in';

export const ATTRIBUTE_OPERATORS: readonly AttributeOperator[] = [
  'eq',
  'exists',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'starts_with',
  'in',
];

export type NumericOperator = 'gt' | 'gte' | 'lt' | 'lte';
export const NUMERIC_OPERATORS: readonly AttributeOperator[] = ['gt', 'gte', 'lt', 'lte'];

/** Operators for `event.count`. */
export type CountOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';
export const COUNT_OPERATORS: readonly CountOperator[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'];

interface NodeBase {
  /** JSON pointer of this node in the request body, e.g. `/filter/and/1`. */
  pointer: string;
}

export interface AndNode extends NodeBase {
  kind: 'and';
  children: FilterNode[];
}

export interface OrNode extends NodeBase {
  kind: 'or';
  children: FilterNode[];
}

export interface NotNode extends NodeBase {
  kind: 'not';
  child: FilterNode;
}

export interface SegmentNode extends NodeBase {
  kind: 'segment';
  segmentId: number;
}

/** Fields with their own columns on people; every other field is a custom attribute. */
export type PersonField = 'id' | 'email' | 'cio_id' | 'unsubscribed';
/** Fields with their own columns on devices; every other field is a device attribute. */
export type DeviceField = 'id' | 'platform' | 'last_used' | '_last_status';

/**
 * A path into a JSON object. `alternatives` are tried in order: the first whose top-level key is
 * present is used. A field `address.city` becomes `[["address.city"], ["address", "city"]]`, so a
 * key that itself contains a dot still matches exactly; `address\.city` (escaped) is only the
 * literal key. A field without dots has one alternative.
 */
export interface JsonPath {
  alternatives: string[][];
}

/** Where an attribute node reads its value. */
export type AttributeTarget =
  | { kind: 'person'; field: PersonField }
  | { kind: 'device'; field: DeviceField }
  /** Person custom attributes, device attributes, or event data, depending on the scope. */
  | { kind: 'json'; path: JsonPath };

export interface AttributeNode extends NodeBase {
  kind: 'attribute';
  /** The field as written in the request. */
  field: string;
  target: AttributeTarget;
  operator: AttributeOperator;
  /**
   * The comparison value as text (attributes compare as strings, docs/segments.md "Attributes");
   * null for `exists`.
   */
  value: string | null;
  /** The numeric comparison value for gt/gte/lt/lte. */
  number: number | null;
  /** The list for `in`, as text. */
  values: string[] | null;
  /** `inverse: true` negates the test: "is not equal" / "does not exist". */
  inverse: boolean;
}

/** One device of the person satisfies the whole inner filter (all conditions on the same device). */
export interface DeviceNode extends NodeBase {
  kind: 'device';
  filter: FilterNode;
}

export interface EventNode extends NodeBase {
  kind: 'event';
  name: string;
  /** `event` (default), `page` or `screen`. */
  type: string;
  count: { operator: CountOperator; value: number };
  /** Only events at or after `now - within` count; null = ever. */
  withinSeconds: number | null;
  /** The text as given (`30d`), for explain. */
  within: string | null;
  /** A filter over the event's `data`; null = any event. */
  where: FilterNode | null;
}

/**
 * The person is related to an object of type `typeId` for which `where` holds of the object
 * (its attributes; `object_id` and `cio_object_id` name its identifiers) and `relationship` holds of
 * that same relationship's attributes (docs/objects.md "Segments on objects").
 */
export interface ObjectNode extends NodeBase {
  kind: 'object';
  typeId: string;
  where: FilterNode | null;
  relationship: FilterNode | null;
}

export type FilterNode =
  AndNode | OrNode | NotNode | SegmentNode | AttributeNode | DeviceNode | EventNode | ObjectNode;

/**
 * The name under which relationship changes reach the segments engine as a person change
 * (services/objects): never a person attribute, since identify treats `cio_relationships` as an
 * instruction. Object conditions read it.
 */
export const RELATIONSHIPS_ATTRIBUTE = 'cio_relationships';

/** What a filter reads, so a writer knows which state to load and a scheduler which segments age. */
export interface FilterNeeds {
  devices: boolean;
  /** Event names (any type) the filter counts. */
  eventNames: Set<string>;
  /** Some event node has a `where` (event data must be loaded). */
  eventData: boolean;
  /** Some event node has a `within` window: membership changes with time alone. */
  timed: boolean;
  /** Object types some object condition is about (the person's relationships must be loaded). */
  objectTypes: Set<string>;
  segments: Set<number>;
  /**
   * Top-level person attribute keys (and the fields id, email, cio_id, unsubscribed) the filter
   * reads outside device and event blocks: a write that changes none of them cannot change the
   * filter's result.
   */
  attributes: Set<string>;
}

/** Needs of nothing: the start of `filterNeeds` and of merging several filters' needs. */
export function emptyNeeds(): FilterNeeds {
  return {
    devices: false,
    eventNames: new Set(),
    eventData: false,
    timed: false,
    objectTypes: new Set(),
    segments: new Set(),
    attributes: new Set(),
  };
}

export function filterNeeds(node: FilterNode, out?: FilterNeeds): FilterNeeds {
  const n = out ?? emptyNeeds();
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) filterNeeds(c, n);
      break;
    case 'not':
      filterNeeds(node.child, n);
      break;
    case 'segment':
      n.segments.add(node.segmentId);
      break;
    case 'attribute':
      if (node.target.kind === 'json')
        for (const alt of node.target.path.alternatives) n.attributes.add(alt[0]!);
      else n.attributes.add(node.target.field);
      break;
    case 'device':
      n.devices = true;
      break;
    case 'event':
      n.eventNames.add(node.name);
      if (node.where) n.eventData = true;
      if (node.withinSeconds !== null) n.timed = true;
      break;
    case 'object':
      n.objectTypes.add(node.typeId);
      n.attributes.add(RELATIONSHIPS_ATTRIBUTE);
      break;
  }
  return n;
}

/** Segment ids a filter refers to, with the pointer of each reference (to validate them at once). */
export function segmentRefs(node: FilterNode, out: SegmentNode[] = []): SegmentNode[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const c of node.children) segmentRefs(c, out);
      break;
    case 'not':
      segmentRefs(node.child, out);
      break;
    case 'segment':
      out.push(node);
      break;
    case 'attribute':
    case 'device':
    case 'event':
    case 'object':
      // Segment references are only allowed at person scope (the parser rejects them inside).
      break;
  }
  return out;
}
