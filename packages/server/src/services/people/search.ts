import type { PeoplePage, PrefixSearchPage } from '@roster/protocol';
import { existingSegmentIds } from '../../store/segments/segments-read.js';
import type { Store } from '../../store/store.js';
import { countUpToQuery, searchPeopleQuery } from '../../store/people/people-search.js';
import {
  compareCodePoints,
  personByCioId,
  prefixCount,
  prefixPage,
  prefixRange,
  type PrefixColumn,
  type PrefixQuery,
} from '../../store/people/people-prefix.js';
import { InvalidInputError } from '../../lib/errors.js';
import { compileFilter } from '../../store/filter/compile-filter.js';
import { attributeIndexName, readyAttributeIndexes } from '../../store/people/attribute-indexes.js';
import type { FilterNode } from '../../filter/ast.js';
import type { IndexedAttributes } from '../../store/filter/compile-filter.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { decodeCursor, decodePidCursor, encodeCursor } from '../query/cursor.js';
import { identifiersOf } from './customer-view.js';
import { emailKey } from '../identity/email.js';
import type { PeopleSearch } from './people-input.js';

/**
 * `POST /v1/customers`: the filter is parsed, checked against the workspace's segments, compiled
 * to one SQL predicate and evaluated by the database, one keyset page at a time.
 */
export class SearchService {
  constructor(private readonly store: Store) {}

  async search(
    workspace: Workspace,
    { filter }: PeopleSearch,
    start: string | undefined,
    limit: number,
  ): Promise<PeoplePage> {
    const ast = await parseWorkspaceFilter(filter, (ids) =>
      existingSegmentIds(this.store.db, workspace.id, ids),
    );
    const afterPid = decodePidCursor(start);
    // A filter on identifiers alone (a point lookup) has nothing an attribute index could serve:
    // its page is the search's one round trip.
    const indexes = readsPersonAttributes(ast)
      ? await readyAttributeIndexes(this.store.db, workspace.id)
      : { workspaceId: workspace.id, text: new Set<string>(), number: new Set<string>() };
    const now = Math.floor(Date.now() / 1000);
    const indexedBy = await this.narrowRange(workspace.id, ast, indexes, now);
    const rows = (
      await this.store.boundedRead(
        searchPeopleQuery(
          this.store.dialect,
          workspace.id,
          compileFilter(ast, this.store.dialect, { now, indexes }),
          afterPid,
          limit + 1,
          indexedBy,
        ).compile(this.store.db),
      )
    ).map((r) => ({ ...r, pid: Number(r.pid) }));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      identifiers: page.map(identifiersOf),
      ids: page.map((r) => r.id ?? ''),
      next: rows.length > limit && last ? encodeCursor('p', last.pid) : '',
    };
  }

  /**
   * The index to read a page through (`searchPeopleQuery`'s `narrowIndex`) when the filter requires
   * a range on an indexed number attribute that few people match, else undefined: at most
   * `NARROW_RANGE` index entries are counted to find out.
   */
  private async narrowRange(
    workspaceId: number,
    ast: FilterNode,
    indexes: IndexedAttributes,
    now: number,
  ): Promise<string | undefined> {
    if (indexes.number.size === 0) return undefined;
    for (const node of ast.kind === 'and' ? ast.children : [ast]) {
      if (node.kind !== 'attribute' || node.inverse || node.target.kind !== 'json') continue;
      if (!['gt', 'gte', 'lt', 'lte'].includes(node.operator)) continue;
      const [path, ...more] = node.target.path.alternatives;
      if (more.length > 0 || path?.length !== 1 || !indexes.number.has(path[0]!)) continue;
      const ix = attributeIndexName(workspaceId, path[0]!, 'number');
      const predicate = compileFilter(node, this.store.dialect, { now, indexes });
      const [row] = await this.store.boundedRead(
        countUpToQuery(this.store.dialect, workspaceId, predicate, NARROW_RANGE, ix).compile(this.store.db),
      );
      if (Number(row?.n ?? NARROW_RANGE) < NARROW_RANGE) return ix;
    }
    return undefined;
  }

  /** `GET /v1/customers/search?q=`: see `prefixSearch`. */
  async prefix(
    workspace: Workspace,
    q: string | undefined,
    start: string | undefined,
    limit: number,
  ): Promise<PrefixSearchPage> {
    return prefixSearch(this.store, workspace, q, start, limit);
  }
}

/**
 * Whether `node` has a condition on a person's custom attributes, the only conditions an attribute
 * index serves (device, event and object conditions read other JSON). Without one, the compiled
 * filter is the same text whichever indexes exist.
 */
function readsPersonAttributes(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.children.some(readsPersonAttributes);
    case 'not':
      return readsPersonAttributes(node.child);
    case 'attribute':
      return node.target.kind === 'json';
    default:
      return false;
  }
}

/**
 * A range on an indexed attribute matched by fewer people than this is read through its index and
 * sorted (`SearchService.narrowRange`): sorting that many pids takes a few milliseconds.
 */
const NARROW_RANGE = 5_000;

/** Longest `q` for prefix search; identifiers are far shorter. */
const MAX_PREFIX = 512;
/**
 * Prefix search counts at most this many matches (an index range read each); more is answered as
 * `count: 10000, count_capped: true`, which a list that shows 50 at a time never needs exactly.
 */
export const PREFIX_COUNT_CAP = 10_000;

/** The two streams a prefix search merges, in this order on equal keys. */
const STREAMS: readonly PrefixColumn[] = ['id', 'email_norm'];

/**
 * `GET /v1/customers/search?q=`: people whose id starts with `q` (case-sensitive) or whose email
 * starts with it (case-insensitive), plus the person whose cio_id is exactly `q`. Each identifier
 * is an index range scan in key order; the two are merged by key, a person matching both is
 * listed once (under their id), and the page token is the last key. Cost is bounded by the page
 * size and the count cap, whatever the workspace's size.
 */
export async function prefixSearch(
  store: Store,
  workspace: Workspace,
  rawQ: string | undefined,
  start: string | undefined,
  limit: number,
): Promise<PrefixSearchPage> {
  const q = (rawQ ?? '').trim();
  if (q === '') throw new InvalidInputError('q', 'q is required: the start of an id or email', 'required');
  if (q.length > MAX_PREFIX)
    throw new InvalidInputError('q', `q is longer than ${MAX_PREFIX} characters`, 'too_long');
  const after = decodePrefixCursor(start);
  const idRange = prefixRange(q);
  const emailRange = prefixRange(emailKey(q));
  const cioId = q.replace(/^cio_/, '');
  const exact = await personByCioId(store.db, workspace.id, cioId);
  const base = (column: PrefixColumn): PrefixQuery => ({
    workspaceId: workspace.id,
    column,
    range: column === 'id' ? idRange : emailRange,
    ...(column === 'email_norm' ? { excludeIdRange: idRange } : {}),
    ...(exact ? { excludeCioId: exact.cio_id } : {}),
  });
  const streams = await Promise.all(
    STREAMS.map(async (column, s) => {
      const q = base(column);
      if (after) {
        // Resume after (key, stream): an earlier stream's equal key came before, a later one's after.
        q.after = { key: after.key, inclusive: s > after.stream };
      }
      return (await prefixPage(store.db, store.dialect, q, limit + 1)).map((r) => ({ ...r, stream: s }));
    }),
  );
  const merged = streams
    .flat()
    .sort((a, b) => compareCodePoints(a.key, b.key) || a.stream - b.stream)
    .slice(0, limit + 1);
  const first = exact && after === undefined ? [exact] : [];
  const room = limit - first.length;
  const page = merged.slice(0, room);
  const last = page[page.length - 1];
  const counts = await Promise.all(
    STREAMS.map((column) => prefixCount(store.db, store.dialect, base(column), PREFIX_COUNT_CAP + 1)),
  );
  const total = counts.reduce((a, b) => a + b, 0) + (exact ? 1 : 0);
  const people = [...first, ...page];
  return {
    identifiers: people.map(identifiersOf),
    ids: people.map((r) => r.id ?? ''),
    next:
      merged.length > room
        ? // A first page filled by the exact match alone resumes at the streams' start (-1).
          encodeCursor('s', last ? `${last.stream}:${last.key}` : '-1:')
        : '',
    count: Math.min(total, PREFIX_COUNT_CAP),
    count_capped: total > PREFIX_COUNT_CAP,
  };
}

function decodePrefixCursor(token: string | undefined): { stream: number; key: string } | undefined {
  const raw = decodeCursor('s', token);
  if (raw === undefined) return undefined;
  const m = /^(-1|0|1):([\s\S]*)$/.exec(raw);
  if (!m) throw new InvalidInputError('start', 'start is not a valid page token', 'invalid');
  return { stream: Number(m[1]), key: m[2]! };
}
