import { deviceFacts, eventFacts, membershipsOf, personFacts } from '../../store/segments/segment-state.js';
import type { Tx } from '../../store/store.js';
import { filterNeeds, type FilterNode } from '../../filter/ast.js';
import { evaluate } from '../../filter/evaluate.js';

/**
 * Evaluates a filter for one person with the segments engine's in-memory evaluator, reading only
 * what the filter needs (devices, the events it counts, memberships).
 */
export async function personMatches(
  trx: Tx,
  workspaceId: number,
  ast: FilterNode,
  pid: number,
  now: number,
): Promise<boolean> {
  const needs = filterNeeds(ast);
  const person = await personFacts(trx, workspaceId, pid);
  if (!person) return false;
  const devices = needs.devices ? await deviceFacts(trx, workspaceId, pid) : [];
  const events = await eventFacts(trx, workspaceId, pid, needs.eventNames, needs.eventData);
  const memberships =
    needs.segments.size > 0 ? await membershipsOf(trx, workspaceId, pid) : new Map<number, number>();
  return evaluate(ast, { person, devices, events, now, inSegment: (id) => memberships.has(id) });
}
