import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { inSavepoint } from '../../store/savepoint.js';
import { refusedByDatabase, type Store, type TransactionOptions, type Tx } from '../../store/store.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { WorkspaceService } from '../workspaces.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type {
  DeliveryMetricHook,
  EventListener,
  ObjectChangeListener,
  PersonChangeListener,
  TrackWrite,
  WriteContext,
  WriteEffects,
} from './context.js';
import { unsubscribeDelivery } from './delivery.js';
import { refOfLockKey } from './identifiers.js';
import { reseedCioIds } from '../../lib/cio-id.js';
import { prefetchPeopleFor } from '../../store/track/people.js';
import type { EventLookup } from '../../store/track/events.js';
import { PersonChanges } from './person-changes.js';
import { WriteGroups, type GroupMember } from './write-groups.js';

/**
 * PostgreSQL group commit (`TrackService.runGroup`): groups running at once unless the store says
 * (`Store.writeGroups`, ROSTER_PG_WRITE_GROUPS), each on one pooled connection. 2, not more: a
 * transaction costs both processes far more than one more write in it, so fewer, larger groups
 * cost less per write (docs/scaling.md "Group commit")…
 */
const GROUPS_RUNNING = 2;
/** …and single writes per group at most. */
const GROUP_SIZE = 32;

interface GroupedWrite {
  workspace: Workspace;
  source: string;
  write: TrackWrite;
}

/** PostgreSQL errors worth one more attempt: unique violation (a racing writer), deadlock, serialization. */
const RETRYABLE = new Set(['23505', '40P01', '40001']);
const ATTEMPTS = 3;

/** One item of a batch: a write, or several applied in order and failing together (an import row). */
export type BatchItem = TrackWrite | readonly TrackWrite[];

export interface BatchOptions {
  /**
   * Campaign event triggers and the delivery-metric hook, as `execute` runs them. Default true;
   * `roster import` turns them off (it never ran them: importing history starts no campaigns).
   */
  triggers?: boolean;
  /**
   * Runs inside the transaction after the items, with this attempt's failures (by item index),
   * so the caller's own bookkeeping commits with the batch. May run more than once (retries).
   */
  finish?: (trx: Tx, failures: ReadonlyMap<number, InvalidInputError>) => Promise<void>;
}

/**
 * What runs after each Track write, inside its transaction, in this order: for every person the
 * write changed, each `onPersonChanged` step (the segments engine); then for every event it stored,
 * each `onEvent` step (campaign triggers). Any step that throws rolls the write back.
 */
export interface WritePipeline {
  onPersonChanged: readonly PersonChangeListener[];
  onEvent: readonly EventListener[];
  /** After the person listeners: each object a write changed (segments' set-based re-evaluation). */
  onObjectChanged?: readonly ObjectChangeListener[];
  /** Messaging's `applyDeliveryMetric`: push metrics for deliveries Roster sent also update the message. */
  deliveryMetric?: DeliveryMetricHook | undefined;
  /**
   * Shared locks a step would take in every write of a workspace (the segments engine's lock on
   * definitions, PostgreSQL): taken with BEGIN instead, and `held` tells the step so.
   */
  sharedLocks?: SharedLocks | undefined;
}

export interface SharedLocks {
  keys(workspaceId: number): string[];
  held(trx: Tx, workspaceId: number): void;
}

/** Writes with nothing after them (tools that only need the Track write itself). */
const NO_PIPELINE: WritePipeline = { onPersonChanged: [], onEvent: [] };

/** Thrown in a batch's optimistic pass when an item is invalid: rerun with a savepoint per item. */
class ItemFailed extends Error {}

/**
 * Runs Track writes. Each write (or batch of writes: `executeBatch`) is one transaction: it locks the
 * identities it names, runs, then runs its `WritePipeline` for every person it changed and event it
 * stored — all before commit, and the caller answers 200 only after it resolves.
 */
export class TrackService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly workspaces: WorkspaceService,
    /** What runs after each write, inside its transaction: built once, in `createServices`. */
    private readonly pipeline: WritePipeline = NO_PIPELINE,
  ) {
    this.groups = new WriteGroups<GroupedWrite>(
      (_, members) => this.runGroup(members),
      store.writeGroups ?? GROUPS_RUNNING,
      GROUP_SIZE,
    );
  }

  /** PostgreSQL: concurrent single writes of a workspace, committed together (`runGroup`). */
  private readonly groups: WriteGroups<GroupedWrite>;

  /**
   * One write in its own transaction, answered (resolved) after its COMMIT. On PostgreSQL, writes
   * of a workspace that arrive while others run are committed together (`runGroup`); SQLite's
   * store groups its writers itself (store/sqlite/group-commit.ts).
   */
  async execute(workspace: Workspace | null, source: string, write: TrackWrite): Promise<void> {
    if (this.store.dialect === 'postgres' && workspace)
      return this.groups.submit(workspace.id, { workspace, source, write });
    return this.executeAlone(workspace, source, write);
  }

  /**
   * Group commit on PostgreSQL. Each single write costs two round trips (BEGIN with its locks and
   * the read; the writes with COMMIT: docs/scaling.md), and on a busy server most of a write's CPU
   * is those socket writes and PostgreSQL's per-transaction work. Writes that queued while others
   * ran go as one transaction, as a v2 batch does: every identity they name locked in one sorted
   * set with BEGIN, read in one statement, their writes sent with one COMMIT — two round trips for
   * the group. Every write's listeners run right after it, as alone.
   *
   * Nobody is answered before the COMMIT that holds their write, and one write's failure is its
   * own: if a write throws (invalid input, a rule), nothing is committed, it runs again alone and
   * gets its own answer, and the others go again as a group. If PostgreSQL refuses a statement
   * (the transaction did not commit, and whose statement it was is not known), each write runs
   * again alone, with a single write's retries. Only a lost connection, when whether COMMIT
   * happened is unknown, fails every write of the group, as it would fail a write alone.
   */
  private async runGroup(members: GroupMember<GroupedWrite>[]): Promise<void> {
    if (members.length === 1) {
      const { item, resolve, reject } = members[0]!;
      await this.executeAlone(item.workspace, item.source, item.write).then(resolve, reject);
      return;
    }
    const workspace = members[0]!.item.workspace;
    const keys = [...new Set(members.flatMap((m) => m.item.write.lockKeys))].sort();
    let failed = -1;
    try {
      await this.store.transaction(
        async (trx) => {
          this.noteHeld(trx, workspace);
          await this.prefetch(
            trx,
            workspace,
            keys,
            members.length,
            members.flatMap((m) => m.item.write.events ?? []),
          );
          for (const [i, { item }] of members.entries()) {
            try {
              await this.runWrite(trx, item.workspace, item.source, item.write, true);
            } catch (err) {
              if (!refusedByDatabase(err)) failed = i;
              throw err;
            }
          }
        },
        { ...this.locks(workspace, keys), weight: members.length },
      );
    } catch (err) {
      if (failed >= 0) {
        const alone = members.splice(failed, 1);
        await Promise.all([this.runGroup(alone), this.runGroup(members)]);
      } else if (refusedByDatabase(err)) await Promise.all(members.map((m) => this.runGroup([m])));
      else for (const m of members) m.reject(err);
      return;
    }
    for (const m of members) m.resolve();
  }

  private async executeAlone(workspace: Workspace | null, source: string, write: TrackWrite): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.transaction(
          async (trx) => {
            this.noteHeld(trx, workspace);
            if (this.store.dialect === 'postgres')
              await this.prefetch(trx, workspace, write.lockKeys, 1, write.events ?? []);
            return this.runWrite(trx, workspace, source, write, true);
          },
          this.locks(workspace, write.lockKeys),
        );
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
        // A new person's INSERT met a cio_id another process took (PostgreSQL writes that insert
        // with a reserved pid, without RETURNING): the next attempt draws from a fresh start.
        if (code === '23505') reseedCioIds();
      }
    }
  }

  /**
   * Runs many writes in one transaction (`POST /api/v2/batch`, `roster import`): the identities of
   * all of them are locked up front (sorted, so batches cannot deadlock each other), the items apply
   * in order, and each item's listeners run right after it, as `execute` would. An item refused with
   * an `InvalidInputError` changes nothing and is reported by its index; the others commit. Any
   * other error fails the whole batch; PostgreSQL's retryable errors rerun it whole.
   *
   * The first pass runs without savepoints (the common case: every item valid); if an item is
   * refused, the batch is rolled back and rerun with a savepoint around each item. One transaction
   * per batch instead of one per item took v2 batches of 100 identifies on SQLite from ~1,500 to
   * ~6,000 person updates/s (bench/ingest.mjs, 2 cores).
   */
  async executeBatch(
    workspace: Workspace | null,
    source: string,
    items: readonly BatchItem[],
    options: BatchOptions = {},
  ): Promise<Map<number, InvalidInputError>> {
    if (items.length === 0 && !options.finish) return new Map();
    const lists = items.map((item): readonly TrackWrite[] => ('run' in item ? [item as TrackWrite] : item));
    // SQLite's write transactions are serial and take no identity locks: gathering and sorting a
    // batch's keys (about 0.3 µs an item) is for PostgreSQL only.
    const keys =
      this.store.dialect === 'postgres'
        ? [...new Set(lists.flatMap((list) => list.flatMap((w) => w.lockKeys)))].sort()
        : [];
    const events =
      this.store.dialect === 'postgres' ? lists.flatMap((list) => list.flatMap((w) => w.events ?? [])) : [];
    const triggers = options.triggers ?? true;
    const writeCount = lists.reduce((n, list) => n + list.length, 0);
    let careful = false;
    for (let attempt = 1; ; attempt++) {
      const failures = new Map<number, InvalidInputError>();
      try {
        await this.store.transaction(
          async (trx) => {
            this.noteHeld(trx, workspace);
            // Not in careful mode, whose savepoints may undo writes the view would remember.
            if (!careful) await this.prefetch(trx, workspace, keys, writeCount, events);
            for (const [index, list] of lists.entries()) {
              if (!careful) {
                try {
                  for (const write of list) await this.runWrite(trx, workspace, source, write, triggers);
                } catch (err) {
                  if (err instanceof InvalidInputError) throw new ItemFailed();
                  throw err;
                }
                continue;
              }
              const failed = await inSavepoint(
                trx,
                async () => {
                  for (const write of list) await this.runWrite(trx, workspace, source, write, triggers);
                },
                (err): err is InvalidInputError => err instanceof InvalidInputError,
              );
              if (failed) failures.set(index, failed);
            }
            await options.finish?.(trx, failures);
          },
          { ...this.locks(workspace, keys), weight: writeCount },
        );
        return failures;
      } catch (err) {
        if (err instanceof ItemFailed && !careful) {
          // Not a failed attempt: the same batch again, item by item.
          careful = true;
          attempt--;
          continue;
        }
        const code = (err as { code?: unknown }).code;
        if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw err;
        // A new person's INSERT met a cio_id another process took (PostgreSQL writes that insert
        // with a reserved pid, without RETURNING): the next attempt draws from a fresh start.
        if (code === '23505') reseedCioIds();
      }
    }
  }

  /**
   * PostgreSQL: the people, suppressions and catalog version every identifier the write(s) locked
   * names, and pids for the people they may create, in one statement with the transaction's BEGIN
   * (store/track/person-view.ts). What the writes then look up they find in memory, and what they
   * write waits for COMMIT: an identify is two statements, a v2 batch of 100 new people too, and
   * an event, whose ids and names (`events`) the same statement looks up.
   */
  private async prefetch(
    trx: Tx,
    workspace: Workspace | null,
    lockKeys: readonly string[],
    writes: number,
    events: readonly EventLookup[],
  ): Promise<void> {
    if (this.store.dialect !== 'postgres' || !workspace) return;
    const lookups = lockKeys.map(refOfLockKey).filter((l) => l !== undefined);
    if (lookups.length > 0 || events.length > 0)
      await prefetchPeopleFor(trx, workspace.id, lookups, writes, events);
  }

  private locks(workspace: Workspace | null, lockKeys: readonly string[]): TransactionOptions {
    const shared = workspace && this.pipeline.sharedLocks ? this.pipeline.sharedLocks.keys(workspace.id) : [];
    return { lockKeys, sharedLockKeys: shared };
  }

  private noteHeld(trx: Tx, workspace: Workspace | null): void {
    if (workspace && this.pipeline.sharedLocks) this.pipeline.sharedLocks.held(trx, workspace.id);
  }

  /** One write inside the caller's transaction, then its person-change and event listeners. */
  private async runWrite(
    trx: Tx,
    workspace: Workspace | null,
    source: string,
    write: TrackWrite,
    triggers: boolean,
  ): Promise<void> {
    const ctx = this.context(workspace, source);
    const fx: WriteEffects = {
      changed: new PersonChanges(),
      events: [],
      ...(triggers && this.pipeline.deliveryMetric ? { deliveryMetric: this.pipeline.deliveryMetric } : {}),
    };
    await write.run(trx, ctx, fx);
    // Each step awaited only when it has something to do: a promise less per write for each.
    const ws = fx.workspace ?? workspace;
    if (fx.changed.size > 0) await this.notify(trx, ws, fx);
    if (fx.objects) await this.notifyObjects(trx, ws, fx);
    if (triggers && fx.events && fx.events.length > 0) await this.notifyEvents(trx, ws, fx);
  }

  /** `POST /unsubscribe/:delivery_id`: the workspace may come from the delivery itself. */
  async unsubscribe(
    workspace: Workspace | null,
    source: string,
    deliveryId: string,
    flag: boolean,
  ): Promise<void> {
    await this.execute(workspace, source, {
      lockKeys: [`delivery:${deliveryId}`],
      run: (trx, ctx, fx) =>
        unsubscribeDelivery(
          trx,
          workspace,
          (id) => this.workspaces.get(id, trx),
          ctx.now,
          source,
          deliveryId,
          flag,
          fx,
        ),
    });
  }

  private context(workspace: Workspace | null, source: string): WriteContext {
    // Unauthenticated metric writes have no workspace; nothing they run reads ctx.workspace.
    return { workspace: workspace as Workspace, source, now: unixSeconds(this.clock) };
  }

  private async notifyEvents(trx: Tx, workspace: Workspace | null, fx: WriteEffects): Promise<void> {
    const steps = this.pipeline.onEvent;
    if (!workspace || steps.length === 0) return;
    for (const event of fx.events ?? []) for (const step of steps) await step(trx, workspace, event);
  }

  private async notifyObjects(trx: Tx, workspace: Workspace | null, fx: WriteEffects): Promise<void> {
    const steps = this.pipeline.onObjectChanged ?? [];
    if (!workspace || steps.length === 0 || !fx.objects) return;
    for (const change of fx.objects) for (const step of steps) await step(trx, workspace, change);
  }

  private async notify(trx: Tx, workspace: Workspace | null, fx: WriteEffects): Promise<void> {
    const steps = this.pipeline.onPersonChanged;
    if (!workspace || steps.length === 0) return;
    for (const pid of fx.changed) {
      const attributes = fx.changed.attributesOnly(pid);
      const removed = fx.changed.removed(pid);
      for (const step of steps) await step(trx, workspace, pid, attributes, removed);
    }
  }
}
