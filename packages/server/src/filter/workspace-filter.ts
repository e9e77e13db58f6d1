import { InvalidInputError } from '../lib/errors.js';
import { segmentRefs, type FilterNode } from './ast.js';
import { parseFilter } from './parse-filter.js';

/** Which of these segment ids are segments of the workspace (the store answers: `existingSegmentIds`). */
export type KnownSegments = (ids: readonly number[]) => Promise<ReadonlySet<number>>;

/**
 * Parses a filter in the segments' condition language for a workspace: the segments it names must
 * be the workspace's (App API search, segment definitions, campaign and broadcast audiences).
 *
 * @example await parseWorkspaceFilter(raw, (ids) => existingSegmentIds(trx, ws.id, ids), '/filter')
 */
export async function parseWorkspaceFilter(
  raw: unknown,
  knownSegments: KnownSegments,
  pointer?: string,
): Promise<FilterNode> {
  const ast = parseFilter(raw, pointer);
  const refs = segmentRefs(ast);
  const known = refs.length === 0 ? new Set<number>() : await knownSegments(refs.map((r) => r.segmentId));
  const missing = refs.find((r) => !known.has(r.segmentId));
  if (missing)
    throw new InvalidInputError(
      `${missing.pointer}/segment/id`,
      `invalid filter: segment ${missing.segmentId} does not exist`,
      'invalid_filter',
    );
  return ast;
}
