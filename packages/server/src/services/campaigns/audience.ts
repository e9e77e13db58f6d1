import { sql, type RawBuilder } from 'kysely';
import { deviceFacts, eventFacts, membershipsOf, personFacts } from '../../store/queries/segment-state.js';
import type { DialectName } from '../../store/dialect.js';
import type { Tx } from '../../store/store.js';
import { filterNeeds, type FilterNode } from '../filter/ast.js';
import { evaluate } from '../filter/evaluate.js';

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
