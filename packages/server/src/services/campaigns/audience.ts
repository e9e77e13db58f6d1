import { sql, type RawBuilder } from 'kysely';
import { deviceFacts, eventFacts, membershipsOf, personFacts } from '../../store/queries/segment-state.js';
import { existingSegmentIds } from '../../store/queries/segments-read.js';
import type { DialectName } from '../../store/dialect.js';
import type { Tx } from '../../store/store.js';
import { InvalidInputError } from '../errors.js';
import { filterNeeds, segmentRefs, type FilterNode } from '../filter/ast.js';
import { evaluate } from '../filter/evaluate.js';
import { parseFilter } from '../filter/parse-filter.js';

/** Parses a filter in the segments' condition language and checks the segments it names exist. */
export async function parseAudienceFilter(
  trx: Tx,
  workspaceId: number,
  raw: unknown,
  pointer: string,
): Promise<FilterNode> {
  const ast = parseFilter(raw, pointer);
  const refs = segmentRefs(ast);
  const known = await existingSegmentIds(
    trx,
    workspaceId,
    refs.map((r) => r.segmentId),
  );
  const missing = refs.find((r) => !known.has(r.segmentId));
  if (missing)
    throw new InvalidInputError(
      `${missing.pointer}/segment/id`,
      `invalid filter: segment ${missing.segmentId} does not exist`,
      'invalid_filter',
    );
  return ast;
}

/**
 * Evaluates a filter for one person with the segments engine's in-memory evaluator, reading only
 * what the filter needs (devices, the events it counts, memberships).
 */
export async function personMatches(trx: Tx, ast: FilterNode, pid: number, now: number): Promise<boolean> {
  const needs = filterNeeds(ast);
  const person = await personFacts(trx, pid);
  if (!person) return false;
  const devices = needs.devices ? await deviceFacts(trx, pid) : [];
  const events = await eventFacts(trx, pid, needs.eventNames, needs.eventData);
  const memberships = needs.segments.size > 0 ? await membershipsOf(trx, pid) : new Map<number, number>();
  return evaluate(ast, { person, devices, events, now, inSegment: (id) => memberships.has(id) });
}

export const MESSAGE_METRICS = [
  'drafted',
  'sent',
  'delivered',
  'opened',
  'converted',
  'bounced',
  'failed',
  'undeliverable',
] as const;

/** `metrics` (a JSON object on `messages`) has `metric`: the same test on both engines. */
export function hasMetric(dialect: DialectName, metric: string, column = 'metrics'): RawBuilder<boolean> {
  return dialect === 'postgres'
    ? sql<boolean>`(${sql.ref(column)} ->> ${metric}) is not null`
    : sql<boolean>`json_extract(${sql.ref(column)}, ${`$.${metric}`}) is not null`;
}
