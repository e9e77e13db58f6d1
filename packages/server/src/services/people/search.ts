import type { PeoplePage } from '@roster/protocol';
import { existingSegmentIds } from '../../store/segments/segments-read.js';
import type { Store } from '../../store/store.js';
import { searchPeople } from '../../store/people/people-search.js';
import { InvalidInputError } from '../../lib/errors.js';
import { compileFilter } from '../../store/filter/compile-filter.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { decodePidCursor, encodeCursor } from '../query/cursor.js';
import { identifiersOf } from './customer-view.js';

/**
 * `POST /v1/customers`: the filter is parsed, checked against the workspace's segments, compiled
 * to one SQL predicate and evaluated by the database, one keyset page at a time.
 */
export class SearchService {
  constructor(private readonly store: Store) {}

  async search(
    workspace: Workspace,
    body: unknown,
    start: string | undefined,
    limit: number,
  ): Promise<PeoplePage> {
    const filter = (body as { filter?: unknown } | undefined)?.filter;
    if (filter === undefined || filter === null)
      throw new InvalidInputError('/filter', 'invalid filter: filter is required', 'invalid_filter');
    const ast = await parseWorkspaceFilter(filter, (ids) =>
      existingSegmentIds(this.store.db, workspace.id, ids),
    );
    const afterPid = decodePidCursor(start);
    const rows = await searchPeople(
      this.store.db,
      workspace.id,
      compileFilter(ast, this.store.dialect, { now: Math.floor(Date.now() / 1000) }),
      afterPid,
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      identifiers: page.map(identifiersOf),
      ids: page.map((r) => r.id ?? ''),
      next: rows.length > limit && last ? encodeCursor('p', last.pid) : '',
    };
  }
}
