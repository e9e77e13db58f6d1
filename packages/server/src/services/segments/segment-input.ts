import { InvalidInputError } from '../../lib/errors.js';

/** Longest segment name / description accepted; Customer.io documents none. */
const MAX_NAME = 255;
const MAX_DESCRIPTION = 4096;

/**
 * A segment write (`POST /v1/segments`, `PUT /v1/segments/:id`) as the service takes it: each field
 * checked, `undefined` where the body leaves it out. `conditions` is the definition as sent (null
 * on an update: remove them, which is refused); the service checks it against the workspace's
 * segments inside its transaction.
 */
export interface SegmentWrite {
  name?: string;
  description?: string;
  conditions?: unknown;
}

/** `POST /v1/segments/count`: the conditions to count, as sent. */
export interface CountConditions {
  conditions: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A new segment: its name is required. */
export type SegmentCreate = SegmentWrite & { name: string };

/** `POST /v1/segments` `{segment: {name, description?, conditions?}}`. */
export function parseSegmentCreate(body: unknown): SegmentCreate {
  const write = parseSegmentWrite(body, true);
  return { ...write, name: write.name! };
}

/** `PUT /v1/segments/:id` `{segment: {name?, description?, conditions?}}`. */
export function parseSegmentUpdate(body: unknown): SegmentWrite {
  return parseSegmentWrite(body, false);
}

function parseSegmentWrite(body: unknown, create: boolean): SegmentWrite {
  const segment = isObject(body) ? body.segment : undefined;
  if (!isObject(segment))
    throw create
      ? new InvalidInputError('/segment/name', 'segment name is required', 'required')
      : new InvalidInputError('/segment', 'a segment object is required', 'required');
  const out: SegmentWrite = textFields(segment, create);
  if (segment.conditions !== undefined) out.conditions = segment.conditions;
  return out;
}

/** Validates `name` (required on create) and `description`; undefined when not given. */
function textFields(
  segment: Record<string, unknown>,
  create: boolean,
): { name?: string; description?: string } {
  const { name, description } = segment;
  const out: { name?: string; description?: string } = {};
  if (name !== undefined || create) {
    if (typeof name !== 'string' || name.trim() === '')
      throw new InvalidInputError('/segment/name', 'segment name is required', 'required');
    if (name.length > MAX_NAME)
      throw new InvalidInputError(
        '/segment/name',
        `segment name is longer than ${MAX_NAME} characters`,
        'too_long',
      );
    out.name = name;
  }
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string')
      throw new InvalidInputError('/segment/description', 'segment description must be a string');
    if (description.length > MAX_DESCRIPTION)
      throw new InvalidInputError(
        '/segment/description',
        `segment description is longer than ${MAX_DESCRIPTION} characters`,
        'too_long',
      );
    out.description = description;
  }
  return out;
}

/** `{conditions}` of `POST /v1/segments/count`: required. */
export function parseCountConditions(body: unknown): CountConditions {
  const conditions = isObject(body) ? body.conditions : undefined;
  if (conditions === undefined || conditions === null)
    throw new InvalidInputError('/conditions', 'invalid filter: conditions are required', 'invalid_filter');
  return { conditions };
}
