import type { Clock } from '../../lib/clock.js';
import { existingSegmentIds, setSegmentConditions } from '../../store/segments/segments-read.js';
import { unixSeconds } from '../../lib/clock.js';
import { toJson, type Store, type Tx } from '../../store/store.js';
import {
  backfillEntries,
  backfillExits,
  countMatchingQuery,
  maxPersonPid,
  identitiesOf,
  recheckCandidates,
  type PidRange,
  type RecheckCandidate,
} from '../../store/segments/segment-backfill.js';
import {
  catalogVersion,
  bumpCatalogVersion,
  lockSegmentDefinitions,
  logSizeChange,
  segmentLockKey,
} from '../../store/segments/segment-tables.js';
import { anonLockKey, refLockKey } from '../track/identifiers.js';
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
 * How long one page of the time recheck aims to take; its number of people adapts to it. SQLite
 * has one writer for every workspace, so a page (one write transaction) is short (a few ms, about
 * an identify's p99). On PostgreSQL a page is a read that locks nothing, followed by short
 * transactions that lock only the people it changes (`recheckPeople`), so it can be longer: fewer
 * round trips per round.
 */
const RECHECK_PAGE_TARGET_MS = { sqlite: 3, postgres: 50 } as const;
const RECHECK_FIRST_PAGE = 1_000;
const RECHECK_MIN_PAGE = 50;
const RECHECK_MAX_PAGE = 100_000;

/** People one recheck transaction locks at most on PostgreSQL (each by up to 3 identifiers). */
const RECHECK_LOCKED_PEOPLE = 200;

/** The lock keys a Track write addressing this person could take (services/track/identifiers.ts). */
function personLockKeys(workspaceId: number, p: RecheckCandidate): string[] {
  const keys = [refLockKey(workspaceId, { kind: 'cio_id', value: p.cioId })];
  if (p.id !== null) keys.push(refLockKey(workspaceId, { kind: 'id', value: p.id }));
  if (p.emailNorm !== null) keys.push(refLockKey(workspaceId, { kind: 'email', value: p.emailNorm }));
  for (const a of p.anonymousIds) keys.push(anonLockKey(workspaceId, a));
  return keys;
}

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
    await setSegmentConditions(trx, workspaceId, segmentId, toJson(raw), now);
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
    await logSizeChange(trx, workspaceId, [{ segmentId: segment.id, delta: entered - exited }], now);
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
   * membership. Each page (on PostgreSQL: each of its transactions, see `recheckPeople`) checks,
   * under the definitions lock, the catalog version it started with: a segment created, edited or deleted meanwhile ends the round (that write backfilled
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
        const r =
          this.store.dialect === 'postgres'
            ? await this.recheckPeople(workspaceId, segment, range, version)
            : await this.exclusive(workspaceId, async (trx) => {
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

  /**
   * One recheck page on PostgreSQL, without stopping the workspace's writers: the people of the
   * page whose membership would change are read first, without locks (usually none: then no write
   * transaction at all); then, at most `RECHECK_LOCKED_PEOPLE` at a time, a transaction locks those
   * people the way a Track write does (every identifier and anonymous id they are known by, then
   * the definitions lock shared, in the writers' order, so the two cannot deadlock) and brings
   * their membership up to date. A write to one of them waits for that short transaction (or the
   * page waits for it); writes to everyone else, and identifies in general, never wait for the
   * recheck. Definition edits (the lock exclusive) still exclude it. Returns undefined when the
   * catalog changed since the round began.
   */
  private async recheckPeople(
    workspaceId: number,
    segment: DynamicSegment,
    range: PidRange,
    version: number,
  ): Promise<BackfillResult | undefined> {
    const db = this.store.db;
    if ((await catalogVersion(db, workspaceId)) !== version) return undefined;
    const predicate = compileFilter(segment.ast, this.store.dialect, { now: unixSeconds(this.clock) });
    const target = { workspaceId, segmentId: segment.id, segmentName: segment.name };
    const changing = await recheckCandidates(db, target, predicate, range);
    const total = { entered: 0, exited: 0 };
    for (let i = 0; i < changing.length; i += RECHECK_LOCKED_PEOPLE) {
      const people = changing.slice(i, i + RECHECK_LOCKED_PEOPLE);
      const pids = people.map((p) => p.pid);
      const locked = new Set(people.flatMap((p) => personLockKeys(workspaceId, p)));
      const r = await this.store.transaction(
        async (trx) => {
          if ((await catalogVersion(trx, workspaceId)) !== version) return undefined;
          // An identifier given to one of them between the read and the locks: lock it too (rare).
          const current = await identitiesOf(trx, workspaceId, pids);
          const extra = current.flatMap((p) => personLockKeys(workspaceId, p)).filter((k) => !locked.has(k));
          if (extra.length > 0) await this.store.lockKeys(trx, extra);
          return this.backfill(trx, workspaceId, segment, false, { ...range, pids });
        },
        {
          lockKeys: [...locked],
          sharedLockKeys: [segmentLockKey(workspaceId)],
        },
      );
      if (!r) return undefined;
      total.entered += r.entered;
      total.exited += r.exited;
    }
    return total;
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
