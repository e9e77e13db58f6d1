import type { FilterNode } from '../../filter/ast.js';
import { parseFilter } from '../../filter/parse-filter.js';
import type { Clock } from '../../lib/clock.js';
import { PollingLoop } from '../../lib/polling-loop.js';
import {
  allSegmentConditions,
  dropHistoryPartitionsBefore,
  ensureHistoryPartitions,
  HISTORY_TABLES,
  pruneActivitiesBefore,
  pruneEventsBefore,
} from '../../store/history/partitions.js';
import { parseJson, type Store } from '../../store/store.js';

const DAY_MS = 86_400_000;

/** Months of partitions kept ready ahead of today (PostgreSQL). */
export const PARTITION_MONTHS_AHEAD = 3;

/** Rows one SQLite prune transaction deletes: a few milliseconds of write lock. */
export const PRUNE_BATCH = 2000;

/**
 * Events a segment counts are kept a day past its window: the window is on the event's own
 * `timestamp`, retention on when it was received, and the two may differ by a little.
 */
const WINDOW_MARGIN_MS = DAY_MS;

export interface RetentionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** How old history may get before it goes, per table (ms since epoch; -Infinity: keep all). */
export interface RetentionCutoffs {
  activities: number;
  events: number;
  /** Why events are kept longer than the retention setting, if they are. */
  eventsKeptFor?: string;
}

/**
 * The longest `within` window (seconds) of any event condition in `node`; `Infinity` when some event
 * condition counts events ever (no window); 0 when there is none.
 */
export function longestEventWindow(node: FilterNode): number {
  switch (node.kind) {
    case 'and':
    case 'or':
      return Math.max(0, ...node.children.map(longestEventWindow));
    case 'not':
      return longestEventWindow(node.child);
    case 'event':
      return node.withinSeconds ?? Infinity;
    default:
      return 0;
  }
}

/**
 * History retention (docs/operations.md "Retention"). PostgreSQL: keeps month partitions of
 * `events` and `activities` created ahead, and drops the months wholly older than the retention.
 * SQLite: deletes the rows older than the retention in small batches. Events that a segment's
 * event condition still counts are kept: no older than its longest window allows, or all events
 * while some segment counts events ever.
 */
export class HistoryRetention {
  private loop: PollingLoop | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** ROSTER_RETENTION_DAYS; undefined keeps everything. */
    private readonly retentionDays: number | undefined,
    private readonly log: RetentionLog,
  ) {}

  /** PostgreSQL: the partitions for this month and the next ones exist (idempotent). */
  async ensurePartitions(): Promise<string[]> {
    if (this.store.dialect !== 'postgres') return [];
    const made = await this.store.transaction((trx) =>
      ensureHistoryPartitions(trx, this.clock.now(), PARTITION_MONTHS_AHEAD),
    );
    if (made.length > 0) this.log.info({ partitions: made }, `history: created ${made.length} partitions`);
    return made;
  }

  /** What may go now, given the setting and what segments count. Undefined: nothing goes. */
  async cutoffs(): Promise<RetentionCutoffs | undefined> {
    if (this.retentionDays === undefined) return undefined;
    const now = this.clock.now();
    const retention = now - this.retentionDays * DAY_MS;
    let window = 0;
    const conditions = await allSegmentConditions(this.store.db);
    for (const c of conditions) {
      try {
        window = Math.max(window, longestEventWindow(parseFilter(parseJson(c), '/segment/conditions')));
      } catch {
        // A definition this release cannot read counts no events here; the segments engine reports it.
      }
    }
    if (window === Infinity)
      return {
        activities: retention,
        events: -Infinity,
        eventsKeptFor: 'a segment counts events ever (no within)',
      };
    const needed = now - window * 1000 - WINDOW_MARGIN_MS;
    return needed < retention
      ? {
          activities: retention,
          events: needed,
          eventsKeptFor: `a segment counts events within ${Math.ceil(window / 86_400)} days`,
        }
      : { activities: retention, events: retention };
  }

  /** One bounded unit of retention work; true when there is more to do right away. */
  async tick(): Promise<boolean> {
    await this.ensurePartitions();
    const cut = await this.cutoffs();
    if (!cut) return false;
    if (this.store.dialect === 'postgres') {
      const dropped: string[] = [];
      for (const table of HISTORY_TABLES) {
        const cutoff = table === 'events' ? cut.events : cut.activities;
        if (cutoff === -Infinity) continue;
        dropped.push(
          ...(await this.store.transaction((trx) =>
            dropHistoryPartitionsBefore(trx, table, cutoff, 1, 2000),
          )),
        );
      }
      if (dropped.length > 0)
        this.log.info(
          { partitions: dropped, eventsKeptFor: cut.eventsKeptFor },
          `history: dropped ${dropped.join(', ')} (older than the retention)`,
        );
      return dropped.length > 0;
    }
    const activities = await this.store.transaction((trx) =>
      pruneActivitiesBefore(trx, cut.activities, PRUNE_BATCH),
    );
    const events =
      cut.events === -Infinity
        ? 0
        : await this.store.transaction((trx) =>
            pruneEventsBefore(trx, Math.floor(cut.events / 1000), PRUNE_BATCH),
          );
    return activities >= PRUNE_BATCH || events >= PRUNE_BATCH;
  }

  /** Runs `tick` now and every `intervalMs` (sooner while there is more to prune). */
  start(intervalMs: number): void {
    if (this.loop) return;
    if (this.retentionDays === undefined && this.store.dialect !== 'postgres') return;
    this.loop = new PollingLoop(
      () => this.tick(),
      intervalMs,
      (err) => this.log.warn({ err }, 'history: retention failed; will retry'),
    );
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
