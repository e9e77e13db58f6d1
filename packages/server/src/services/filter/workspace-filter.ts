import { existingSegmentIds } from '../../store/queries/segments-read.js';
import type { Tx } from '../../store/store.js';
import { InvalidInputError } from '../errors.js';
import { segmentRefs, type FilterNode } from './ast.js';
import { parseFilter } from './parse-filter.js';

/**
 * Parses a filter in the segments' condition language for a workspace: the segments it names must
 * be the workspace's (App API search, segment definitions, campaign and broadcast audiences).
 */
export async function parseWorkspaceFilter(
  db: Tx,
  workspaceId: number,
  raw: unknown,
  pointer?: string,
): Promise<FilterNode> {
  const ast = parseFilter(raw, pointer);
  const refs = segmentRefs(ast);
  const known = await existingSegmentIds(
    db,
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
