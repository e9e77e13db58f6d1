import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { onTransactionLost } from '../../store/sql.js';
import type { Store, Tx } from '../../store/store.js';
import {
  catalogVersion,
  catalogVersionAndPresence,
  lockSegmentDefinitions,
  logSizeChange,
  noteSegmentsLockedShared,
  noteVersionSeen,
  segmentLockKey,
  versionSeen,
} from '../../store/segments/segment-tables.js';
import {
  deleteMemberships,
  deviceFacts,
  eventFacts,
  insertMemberships,
  membershipFacts,
  openSegmentEntries,
  personSnapshot,
} from '../../store/segments/segment-state.js';
import { markActivitiesDeleted } from '../../store/track/people.js';
import { segmentNames } from '../../store/segments/segments-read.js';
import { relationshipFacts } from '../../store/objects/objects-read.js';
import {
  recordActivities,
  type ActivityInput,
  type PersonIdentifiers,
} from '../../store/activities/activities.js';
import { evaluate, type EvalContext } from '../../filter/evaluate.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { CatalogCache, mergeNeeds, segmentsReading } from './catalog.js';
import { SegmentDefinitions } from './definitions.js';
import { RecheckScheduler, type RecheckLog } from './scheduler.js';
import {
  applyObjectChange,
  CATCHUP_BATCH,
  OBJECT_CHANGE_IN_WRITE,
  recordRemovals,
  reevaluateSet,
  segmentsAboutType,
  type ObjectChange,
} from './object-changes.js';
import {
  advanceCatchup,
  deleteCatchup,
  findCatchup,
  pendingCatchups,
  relatedPids,
} from '../../store/segments/segment-sets.js';
import { PollingLoop } from '../../lib/polling-loop.js';

/** What runs when a person enters segments, inside the write that made them enter. */
export type SegmentEnteredHook = (
  trx: Tx,
  workspaceId: number,
  personPid: number,
  segmentIds: readonly number[],
  now: number,
) => Promise<void>;

/** Activities the engine writes are the system's, not the writer's (the listener gets no source). */
const SOURCE = 'system';

/**
 * Keeps dynamic segment memberships current inside every write (docs/segments.md "What happens on a
 * write").
 *
 * Per write, for each person the write changed (unless it changed only attributes no segment reads,
 * see `listener`): one catalog-version read (the parsed definitions
 * are cached per version), the person row and their memberships, plus their devices and events
 * only when some segment's conditions are about devices or events (and only the event names those
 * conditions count). Every dynamic segment is then evaluated in memory, in dependency order, so a
 * segment that refers to another sees its new result; only the differences are written, as
 * membership rows, `entered_segment` / `exited_segment` activities and a size-log entry.
 */
export class SegmentEngine {
  private readonly catalogs = new CatalogCache();
  readonly definitions: SegmentDefinitions;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /**
     * Called inside the transaction, after the `entered_segment` activities are recorded, with the
     * segments a person just entered (campaigns triggered by segment entry).
     */
    private readonly onEntered?: SegmentEnteredHook,
    /** People an object change re-evaluates inside its write (`OBJECT_CHANGE_IN_WRITE`). */
    private readonly objectChangeInWrite: number = OBJECT_CHANGE_IN_WRITE,
  ) {
    this.definitions = new SegmentDefinitions(store, clock);
    // With SQLite's group commit a write can read definitions another writer of its group changed;
    // if that group never commits, neither did those definitions.
    onTransactionLost(() => this.catalogs.clear());
  }

  /**
   * The write pipeline's object-change step (docs/objects.md): an object's attributes changed or it was
   * deleted, so the segments with conditions on its type are re-evaluated for its related people,
   * set-based (services/segments/object-changes.ts).
   */
  readonly objectListener = async (trx: Tx, workspace: Workspace, change: ObjectChange): Promise<void> => {
    if (this.store.dialect === 'postgres') await lockSegmentDefinitions(trx, workspace.id, false);
    const catalog = await this.catalogs.get(trx, workspace.id);
    // A deleted object's people get their history even when no segment is about objects.
    if (catalog.ordered.length === 0 && !change.removedPids) return;
    const ctx = {
      dialect: this.store.dialect,
      workspaceId: workspace.id,
      now: unixSeconds(this.clock),
      onEntered: this.onEntered,
    };
    await applyObjectChange(trx, ctx, catalog, change, this.objectChangeInWrite);
  };

  /**
   * One background catch-up batch (the oldest queued object change): at most `CATCHUP_BATCH`
   * people in one transaction, so live writes interleave. Resolves true when more is queued.
   */
  async catchUpOnce(): Promise<boolean> {
    const [next] = await pendingCatchups(this.store.db, 1);
    if (!next) return false;
    await this.store.transaction(
      async (trx) => {
        const row = await findCatchup(trx, next.workspaceId, next.id);
        if (!row) return;
        if (this.store.dialect === 'postgres') await lockSegmentDefinitions(trx, row.workspaceId, false);
        const catalog = await this.catalogs.get(trx, row.workspaceId);
        const segments = segmentsAboutType(catalog, row.typeId);
        let pids: number[];
        let rest: number[] | null = null;
        if (row.pids) {
          pids = row.pids.slice(0, CATCHUP_BATCH);
          rest = row.pids.slice(CATCHUP_BATCH);
        } else {
          pids = await relatedPids(trx, row.workspaceId, row.objectOid!, row.afterPid, CATCHUP_BATCH);
        }
        const ctx = {
          dialect: this.store.dialect,
          workspaceId: row.workspaceId,
          now: unixSeconds(this.clock),
          onEntered: this.onEntered,
        };
        if (row.history) await recordRemovals(trx, row.workspaceId, row.history, pids);
        if (segments.length > 0) await reevaluateSet(trx, ctx, segments, pids);
        const done = row.pids ? rest!.length === 0 : pids.length < CATCHUP_BATCH;
        if (done) await deleteCatchup(trx, row.workspaceId, row.id);
        else await advanceCatchup(trx, row.workspaceId, row.id, pids[pids.length - 1] ?? row.afterPid, rest);
      },
      { lockKeys: [`segment_catchup:${next.id}`], weight: CATCHUP_BATCH },
    );
    return true;
  }

  /** Runs `catchUpOnce` in the background until stopped (`roster serve`). */
  startCatchup(pollMs: number, onError: (err: unknown) => void = () => {}): PollingLoop {
    const loop = new PollingLoop(() => this.catchUpOnce(), pollMs, onError);
    loop.start();
    return loop;
  }

  /** Starts the `within` recheck (see `RecheckScheduler`); `roster serve` calls this, tests may too. */
  startRecheck(intervalMs: number, log?: RecheckLog): RecheckScheduler {
    return new RecheckScheduler(this.store, this.clock, this.definitions, intervalMs, log).start();
  }

  /** For the write pipeline's `sharedLocks` (PostgreSQL): the lock on definitions every write takes. */
  readonly sharedLocks = {
    keys: (workspaceId: number): string[] => [segmentLockKey(workspaceId)],
    held: (trx: Tx, workspaceId: number): void => noteSegmentsLockedShared(trx, workspaceId),
  };

  /** The write pipeline's person-change step (see `createServices`). */
  readonly listener = (
    trx: Tx,
    workspace: Workspace,
    personPid: number,
    attributes?: ReadonlySet<string>,
    removed?: boolean,
  ): Promise<void> => this.reevaluatePerson(trx, workspace.id, personPid, attributes, removed);

  /**
   * Also the messaging hook `onDeviceChanged(trx, workspaceId, personPid)`. `attributes`, when
   * given, says only those attributes of the person changed: then only the segments that read one
   * of them (and the segments built on those) can change, so only they are evaluated and only what
   * they need is read — none at all costs one catalog-version read. Time windows move on their own
   * and are the recheck's job either way.
   */
  readonly reevaluatePerson = async (
    trx: Tx,
    workspaceId: number,
    personPid: number,
    attributes?: ReadonlySet<string>,
    /** From a Track write: whether it deleted the person (undefined: unknown, check). */
    removed?: boolean,
  ): Promise<void> => {
    if (this.store.dialect === 'postgres') await lockSegmentDefinitions(trx, workspaceId, false);
    const now = unixSeconds(this.clock);
    const cached = this.catalogs.peek(workspaceId);
    // No dynamic segments (as of the definitions cached): only check that this is still so and that
    // the person was not deleted (a deleted person's exits are recorded below). A Track write says
    // whether it deleted the person, and the version holds for the rest of its transaction, so a
    // batch checks once.
    if (cached?.ordered.length === 0) {
      if (removed === false && versionSeen(trx, workspaceId) === cached.version) return;
      const { version, present } = await catalogVersionAndPresence(trx, workspaceId, personPid);
      if (removed !== undefined) noteVersionSeen(trx, workspaceId, version);
      if (version === cached.version && present) return;
    }
    const scoped = attributes && cached ? segmentsReading(cached, attributes) : undefined;
    // The scope holds only while the definitions are the ones it was computed from (known without a
    // statement when this transaction has already read the version and holds it stable).
    if (
      scoped?.length === 0 &&
      (versionSeen(trx, workspaceId) === cached!.version ||
        (await catalogVersion(trx, workspaceId)) === cached!.version)
    )
      return;
    // Read devices and events along with the person as the (scoped) known definitions need them; if
    // the definitions changed since, whatever the new ones need and was not read is read after.
    const guess = scoped?.length ? mergeNeeds(scoped) : (cached?.needs ?? mergeNeeds([]));
    // A scoped evaluation looks only at the memberships of its segments and of those they refer to.
    const segmentIds = scoped?.length ? new Set([...scoped.map((s) => s.id), ...guess.segments]) : undefined;
    const snap = await personSnapshot(trx, this.store.dialect, workspaceId, personPid, {
      ...guess,
      segmentIds,
    });
    const { person, version } = snap;
    let { memberships } = snap;
    if (!person) return this.recordDeletedExits(trx, workspaceId, personPid, now);
    const catalog = await this.catalogs.get(trx, workspaceId, version);
    if (catalog.ordered.length === 0) return;
    const segments = scoped?.length && catalog === cached ? scoped : catalog.ordered;
    // The definitions changed since the scope was computed: everything is evaluated, so every
    // membership is needed.
    if (segmentIds && segments !== scoped) memberships = await membershipFacts(trx, workspaceId, personPid);
    const needs = segments === catalog.ordered ? catalog.needs : guess;
    const devices = !needs.devices ? [] : (snap.devices ?? (await deviceFacts(trx, workspaceId, personPid)));
    const covered =
      snap.events !== undefined &&
      (!needs.eventData || guess.eventData) &&
      [...needs.eventNames].every((n) => guess.eventNames.has(n));
    const events = covered
      ? snap.events!
      : await eventFacts(trx, workspaceId, personPid, needs.eventNames, needs.eventData);
    const relationships =
      needs.objectTypes.size === 0
        ? []
        : await relationshipFacts(trx, workspaceId, personPid, needs.objectTypes);
    const results = new Map<number, boolean>();
    const ctx: EvalContext = {
      person,
      devices,
      events,
      relationships,
      now,
      inSegment: (id) => results.get(id) ?? memberships.has(id),
    };
    const entered: number[] = [];
    const exited: number[] = [];
    for (const segment of segments) {
      const match = evaluate(segment.ast, ctx);
      results.set(segment.id, match);
      const was = memberships.has(segment.id);
      if (match && !was) entered.push(segment.id);
      else if (!match && was) exited.push(segment.id);
    }
    if (entered.length === 0 && exited.length === 0) return;

    const identifiers: PersonIdentifiers = { id: person.id, email: person.email, cio_id: person.cioId };
    const names = (id: number) => catalog.byId.get(id)?.name ?? '';
    await recordMembershipChanges(trx, { workspaceId, personPid, identifiers, names, entered, exited, now });
    if (entered.length > 0 && this.onEntered) await this.onEntered(trx, workspaceId, personPid, entered, now);
  };

  /**
   * A deleted, suppressed or merged-away person's memberships went with their row, so the segments
   * they were in come from their history: every segment entered and not exited gets an
   * `exited_segment` (manual segments too), marked deleted like the rest of their history.
   */
  private async recordDeletedExits(trx: Tx, workspaceId: number, pid: number, now: number): Promise<void> {
    const open = await openSegmentEntries(trx, workspaceId, pid);
    if (open.length === 0) return;
    const segments = await segmentNames(
      trx,
      workspaceId,
      open.map((o) => o.segmentId),
    );
    const byId = new Map(segments.map((s) => [Number(s.id), s]));
    const left = open.filter((o) => byId.has(o.segmentId));
    await recordActivities(
      trx,
      left.map((o) => {
        const name = byId.get(o.segmentId)!.name;
        return {
          workspaceId,
          personPid: pid,
          identifiers: o.identifiers as PersonIdentifiers | null,
          type: 'exited_segment' as const,
          name,
          data: { segment_id: o.segmentId, segment_name: name },
          source: SOURCE,
          timestamp: now,
        };
      }),
    );
    await markActivitiesDeleted(trx, workspaceId, pid);
    await logSizeChange(
      trx,
      workspaceId,
      left
        .filter((o) => byId.get(o.segmentId)!.type === 'dynamic')
        .map((o) => ({ segmentId: o.segmentId, delta: -1 })),
      now,
    );
  }
}

/**
 * A person's segment changes: memberships in and out, an activity for each (exits first), and the
 * size log.
 */
async function recordMembershipChanges(
  trx: Tx,
  c: {
    workspaceId: number;
    personPid: number;
    identifiers: PersonIdentifiers;
    names: (segmentId: number) => string;
    entered: number[];
    exited: number[];
    now: number;
  },
): Promise<void> {
  const { workspaceId, personPid, identifiers, names, entered, exited, now } = c;
  await insertMemberships(trx, workspaceId, personPid, entered, now);
  await deleteMemberships(trx, workspaceId, personPid, exited);
  const activity = (type: 'entered_segment' | 'exited_segment', id: number): ActivityInput => {
    const name = names(id);
    return {
      workspaceId,
      personPid,
      identifiers,
      type,
      name,
      data: { segment_id: id, segment_name: name },
      source: SOURCE,
      timestamp: now,
    };
  };
  await recordActivities(trx, [
    ...exited.map((id) => activity('exited_segment', id)),
    ...entered.map((id) => activity('entered_segment', id)),
  ]);
  await logSizeChange(
    trx,
    workspaceId,
    [
      ...entered.map((segmentId) => ({ segmentId, delta: 1 })),
      ...exited.map((segmentId) => ({ segmentId, delta: -1 })),
    ],
    now,
  );
}
