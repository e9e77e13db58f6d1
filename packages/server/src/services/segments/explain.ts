import { parseJson, type Tx } from '../../store/store.js';
import { deviceFacts, eventFacts, membershipsOf, personFacts } from '../../store/segments/segment-state.js';
import type { SegmentRow } from '../../store/segments/segments-read.js';
import { filterNeeds } from '../../filter/ast.js';
import { relationshipFacts } from '../../store/objects/objects-read.js';
import { explain, type Explanation } from '../../filter/evaluate.js';
import { parseFilter } from '../../filter/parse-filter.js';

export interface SegmentExplanation {
  /** Whether the person matches the conditions now (for a manual segment: is a member). */
  result: boolean;
  /** Whether the stored membership says they are in (equal to `result` unless a write is racing). */
  member: boolean;
  /** The condition tree with each node's result and what it saw; null for manual segments. */
  tree: Explanation | null;
}

/** "Why is this person in or out?": the in-memory evaluator, recording every node. */
export async function explainMembership(
  db: Tx,
  segment: SegmentRow,
  pid: number,
  now: number,
): Promise<SegmentExplanation> {
  const ws = Number(segment.workspace_id);
  const memberships = await membershipsOf(db, ws, pid);
  const member = memberships.has(Number(segment.id));
  const person = await personFacts(db, ws, pid);
  if (segment.type !== 'dynamic' || !person) return { result: member, member, tree: null };
  const ast = parseFilter(parseJson(segment.conditions), '/segment/conditions');
  const needs = filterNeeds(ast);
  const tree = explain(ast, {
    person,
    devices: needs.devices ? await deviceFacts(db, ws, pid) : [],
    events: await eventFacts(db, ws, pid, needs.eventNames, needs.eventData),
    relationships: await relationshipFacts(db, ws, pid, needs.objectTypes),
    now,
    inSegment: (id) => memberships.has(id),
  });
  return { result: tree.result, member, tree };
}
