import type { Clock } from '../../lib/clock.js';
import { existingSegmentIds, setSegmentConditions } from '../../store/segments/segments-read.js';
import { unixSeconds } from '../../lib/clock.js';
import { toJson, type Store, type Tx } from '../../store/store.js';
import {
  backfillEntries,
  backfillExits,
  countMatchingQuery,
  maxPersonPid,
  type PidRange,
} from '../../store/segments/segment-backfill.js';
import {
  catalogVersion,
  bumpCatalogVersion,
  lockSegmentDefinitions,
  logSizeChange,
} from '../../store/segments/segment-tables.js';
import { InvalidInputError } from '../../lib/errors.js';
import { segmentRefs, type FilterNode } from '../../filter/ast.js';
import { compileFilter } from '../../store/filter/compile-filter.js';
import { readyAttributeIndexes } from '../../store/people/attribute-indexes.js';
import { parseWorkspaceFilter } from '../../filter/workspace-filter.js';
import {
  dependencyOrder,
  dependents,
  findCycle,
  loadDynamicSegments,
  type DynamicSegment,
} from './catalog.js';

function invalid(pointer: string, message: string): InvalidInputError {
  return new InvalidInputError(pointer, `invalid filter: ${message}`, 'invalid_filter');
}

export interface BackfillResult {
  entered: number;
  exited: number;
}

/**
 * How long one transaction of the time recheck aims to take; its page of people adapts to it.
 * SQLite has one writer for every workspace, so a page is short (a few ms, about an identify's
 * p99); on PostgreSQL a page holds this workspace's definitions lock, which its writes wait for,
 * so it is kept short too (a transaction's round trips alone take a few ms there).
 */
const RECHECK_PAGE_TARGET_MS = { sqlite: 3, postgres: 5 } as const;
const RECHECK_FIRST_PAGE = 1_000;
const RECHECK_MIN_PAGE = 50;
const RECHECK_MAX_PAGE = 100_000;

export interface RecheckOptions {
  /** Checked between transactions: true ends the round early (shutdown). */
  stopped?: () => boolean;
}

/**
 * Writing segment definitions: validation (syntax, unknown segments, cycles), and set-based
 * backfill of a segment and everything that refers to it, in dependency order, inside the
 * transaction that changes the definition.
 */
export class SegmentDefinitions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Parses conditions and checks their segment references: every id must be a segment of the
   * workspace, and (for a dynamic segment `selfId`) no reference may lead back to it.
   */
  async validate(
    db: Tx,
    workspaceId: number,
    raw: unknown,
    pointer: string,
    selfId?: number,
  ): Promise<FilterNode> {
    const ast = await parseWorkspaceFilter(raw, (ids) => existingSegmentIds(db, workspaceId, ids), pointer);
    const refs = segmentRefs(ast);
    if (selfId !== undefined && refs.length > 0) {
      const others = new Map((await loadDynamicSegments(db, workspaceId)).map((s) => [s.id, s]));
      const mine = new Set(refs.map((r) => r.segmentId));
      const refsOf = (id: number): Iterable<number> =>
        id === selfId ? mine : (others.get(id)?.needs.segments ?? []);
      const cycle = findCycle(selfId, refsOf);
      if (cycle) {
        const at = refs.find((r) => r.segmentId === cycle[1]) ?? refs[0]!;
        throw invalid(`${at.pointer}/segment/id`, `segment references form a cycle: ${cycle.join(' → ')}`);
      }
    }
    return ast;
  }

  /** Runs `fn` in a transaction that holds the workspace's definitions exclusively. */
  async exclusive<T>(workspaceId: number, fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.store.transaction(async (trx) => {
      if (this.store.dialect === 'postgres') await lockSegmentDefinitions(trx, workspaceId, true);
      return fn(trx);
    });
  }

  /** Stores new conditions and brings memberships of the segment and its dependents up to date. */
  async storeConditions(
    trx: Tx,
    workspaceId: number,
    segmentId: number,
    raw: unknown,
    fresh: boolean,
  ): Promise<BackfillResult> {
    const now = unixSeconds(this.clock);
    await setSegmentConditions(trx, segmentId, toJson(raw), now);
    await bumpCatalogVersion(trx, workspaceId);
    const ordered = dependencyOrder(await loadDynamicSegments(trx, workspaceId));
    const self = ordered.find((s) => s.id === segmentId);
    if (!self) return { entered: 0, exited: 0 };
    const result = await this.backfill(trx, workspaceId, self, fresh);
    for (const dep of dependents(ordered, new Set([segmentId])))
      await this.backfill(trx, workspaceId, dep, false);
    return result;
  }

  /** Re-evaluates one segment over the whole workspace (the caller holds the definitions lock). */
  async backfill(
    trx: Tx,
    workspaceId: number,
    segment: DynamicSegment,
    fresh: boolean,
    range?: PidRange,
  ): Promise<BackfillResult> {
    const now = unixSeconds(this.clock);
    const indexes = await readyAttributeIndexes(trx, workspaceId);
    const predicate = compileFilter(segment.ast, this.store.dialect, { now, indexes });
    const target = { workspaceId, segmentId: segment.id, segmentName: segment.name };
    const exited = fresh
      ? 0
      : await backfillExits(trx, this.store.dialect, target, predicate, now, true, range);
    const entered = await backfillEntries(trx, this.store.dialect, target, predicate, now, {
      fresh,
      activities: true,
      ...(range ? { range } : {}),
    });
    await logSizeChange(trx, [{ segmentId: segment.id, delta: entered - exited }], now);
    return { entered, exited };
  }

  /**
   * Segments whose membership changes with time alone (`within`), and those that refer to them.
   *
   * In small transactions, never one for the whole round (once, 300 segments in one
   * write transaction stopped every writer for 10.7 s each minute): each transaction rechecks one
   * segment over one page of people (a pid range), sized so it takes about
   * `RECHECK_PAGE_TARGET_MS`, and live writes run between them. Segments go in dependency
   * order, each over all pages before the next, so one built on a timed segment sees its new
   * membership. Each page takes the definitions lock and checks the catalog version it started
   * with: a segment created, edited or deleted meanwhile ends the round (that write backfilled
   * what it changed; the next round starts from the new catalog).
   */
  async recheckTimed(workspaceId: number, options: RecheckOptions = {}): Promise<number> {
    const db = this.store.db;
    const version = await catalogVersion(db, workspaceId);
    const ordered = dependencyOrder(await loadDynamicSegments(db, workspaceId));
    const timed = ordered.filter((s) => s.needs.timed);
    if (timed.length === 0) return 0;
    const ids = new Set(timed.map((s) => s.id));
    const todo = [...timed, ...dependents(ordered, ids)].sort(
      (a, b) => ordered.indexOf(a) - ordered.indexOf(b),
    );
    const lastPid = await maxPersonPid(db, workspaceId);
    let page = RECHECK_FIRST_PAGE;
    let changed = 0;
    for (const segment of todo) {
      // Past the last pid seen at the start: people created since were evaluated by their writes.
      for (let afterPid = 0; afterPid < lastPid;) {
        if (options.stopped?.()) return changed;
        const range = { afterPid, toPid: Math.min(afterPid + page, lastPid) };
        const started = performance.now();
        const r = await this.exclusive(workspaceId, async (trx) => {
          if ((await catalogVersion(trx, workspaceId)) !== version) return undefined;
          return this.backfill(trx, workspaceId, segment, false, range);
        });
        if (!r) return changed;
        changed += r.entered + r.exited;
        afterPid = range.toPid;
        const took = Math.max(performance.now() - started, 0.1);
        const target = RECHECK_PAGE_TARGET_MS[this.store.dialect];
        // Grows at most 4× a step, so one page of unusually busy people cannot overshoot far.
        page = Math.round(
          Math.min(RECHECK_MAX_PAGE, page * 4, Math.max(RECHECK_MIN_PAGE, (page * target) / took)),
        );
        // Let requests (and their writes) in before the next page.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return changed;
  }

  async count(workspaceId: number, raw: unknown, pointer: string): Promise<number> {
    const db = this.store.db;
    const ast = await this.validate(db, workspaceId, raw, pointer);
    const indexes = await readyAttributeIndexes(db, workspaceId);
    const query = countMatchingQuery(
      this.store.dialect,
      workspaceId,
      compileFilter(ast, this.store.dialect, { now: unixSeconds(this.clock), indexes }),
    );
    const rows = await this.store.boundedRead(query.compile(db));
    return Number(rows[0]?.n ?? 0);
  }
}
