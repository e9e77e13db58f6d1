import { randomBytes } from 'node:crypto';
import type { IndexedAttribute } from '@roster/protocol';
import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { AttributeIndexKind, IndexedAttributes } from '../../store/filter/compile-filter.js';
import { acquireLease, releaseLease } from '../../store/leases.js';
import {
  attributeIndexName,
  attributeIndexStatus,
  buildAttributeIndex,
  buildingAttributeIndexes,
  countAttributeIndexes,
  deleteAttributeIndexRow,
  dropAttributeIndex,
  listAttributeIndexes,
  readyAttributeIndexes,
  registerAttributeIndex,
  setAttributeIndexStatus,
  type AttributeIndexRow,
} from '../../store/people/attribute-indexes.js';
import type { Store, Tx } from '../../store/store.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import type { AddAttributeIndex } from './attribute-index-input.js';

/** Each index is one more B-tree every write to `people` updates: a workspace gets at most this many. */
export const MAX_ATTRIBUTE_INDEXES = 20;
/** A build holds its lease this long and renews it at a third of that (several servers, one database). */
const LEASE_MS = 60_000;
/** The `leases` row a server holds while it builds (one build at a time on a database). */
export const BUILD_LEASE = 'attribute-indexes:build';
/** How often a server looks for builds nobody holds (a server that died mid-build). */
const RESUME_EVERY_MS = 30_000;

export interface AttributeIndexLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

function view(r: AttributeIndexRow): IndexedAttribute {
  return {
    name: r.name,
    type: r.kind === 'number' ? 'number' : 'text',
    status: r.status === 'ready' ? 'ready' : r.status === 'failed' ? 'failed' : 'building',
    error: r.error,
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

/**
 * Indexed person attributes (docs/app-api.md "Indexed attributes"). Adding one registers it as
 * `building` and builds its index in the background (store/people/attribute-indexes.ts: without
 * stopping writes); once `ready`, search, counts, segment backfill, broadcasts and export compile
 * conditions on it to the indexed expression (`indexesFor`). A build holds a lease, so with several
 * servers on one database exactly one builds it, and another resumes it if that server dies.
 */
export class AttributeIndexService {
  readonly holder = `${process.pid}:${randomBytes(6).toString('hex')}`;
  private readonly builds = new Map<string, Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private log: AttributeIndexLog | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async list(workspace: Workspace): Promise<IndexedAttribute[]> {
    return (await listAttributeIndexes(this.store.db, workspace.id)).map(view);
  }

  /** Registers an attribute index and starts its build; idempotent (a failed one is rebuilt). */
  async add(workspace: Workspace, { name, kind }: AddAttributeIndex): Promise<IndexedAttribute> {
    const now = unixSeconds(this.clock);
    const { row, build } = await this.store.transaction(async (trx) => {
      const existing = (await listAttributeIndexes(trx, workspace.id)).some(
        (r) => r.name === name && r.kind === kind,
      );
      if (!existing && (await countAttributeIndexes(trx, workspace.id)) >= MAX_ATTRIBUTE_INDEXES)
        throw new InvalidInputError(
          '/name',
          `a workspace may index at most ${MAX_ATTRIBUTE_INDEXES} attributes; remove one first`,
          'limit',
        );
      return registerAttributeIndex(trx, workspace.id, name, kind, now);
    });
    if (build) this.startBuild(workspace.id, name, kind);
    return view(row);
  }

  /** Drops the index (both types when `type` is absent) and forgets it. */
  /** Both kinds of the attribute's index unless `kind` names one. */
  async remove(workspace: Workspace, name: string, kind: AttributeIndexKind | undefined): Promise<void> {
    const kinds: AttributeIndexKind[] = kind === undefined ? ['text', 'number'] : [kind];
    let found = false;
    for (const kind of kinds) {
      // Forgotten first: from here on no filter is compiled against it; then the index goes.
      if (!(await this.store.transaction((trx) => deleteAttributeIndexRow(trx, workspace.id, name, kind))))
        continue;
      found = true;
      await this.builds.get(attributeIndexName(workspace.id, name, kind));
      await dropAttributeIndex(this.store, workspace.id, name, kind);
    }
    if (!found) throw new NotFoundError(`no indexed attribute ${JSON.stringify(name)}`);
  }

  /** The workspace's ready indexes, for the filter compiler (one small read by primary key). */
  indexesFor(db: Tx, workspaceId: number): Promise<IndexedAttributes> {
    return readyAttributeIndexes(db, workspaceId);
  }

  /** Resumes builds nobody holds now and then (`roster serve`). */
  start(log?: AttributeIndexLog): this {
    this.log = log;
    this.stopped = false;
    void this.resume();
    this.timer ??= setInterval(() => void this.resume(), RESUME_EVERY_MS);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves once the builds this process runs have finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.builds.size > 0) await Promise.allSettled([...this.builds.values()]);
  }

  /** Builds every registered index still `building` whose lease is free. */
  async resume(): Promise<void> {
    try {
      for (const r of await buildingAttributeIndexes(this.store.db)) {
        if (this.stopped) return;
        this.startBuild(Number(r.workspace_id), r.name, r.kind === 'number' ? 'number' : 'text');
      }
    } catch (err) {
      this.log?.error({ err }, 'indexed attributes: looking for builds to resume failed');
    }
  }

  private startBuild(workspaceId: number, name: string, kind: AttributeIndexKind): void {
    const key = attributeIndexName(workspaceId, name, kind);
    if (this.builds.has(key)) return;
    // One build at a time: two CREATE INDEX CONCURRENTLY on one table wait for each other's
    // snapshots and PostgreSQL ends one as a deadlock; on SQLite they would queue anyway.
    const run = this.queue
      .then(() => (this.stopped ? undefined : this.build(workspaceId, name, kind)))
      .catch((err: unknown) =>
        this.log?.error({ err, workspaceId, name, kind }, 'indexed attributes: build failed'),
      )
      .finally(() => this.builds.delete(key));
    this.builds.set(key, run);
    this.queue = run;
  }

  /**
   * Builds one index under the cluster-wide build lease (several servers on one database build one
   * index at a time, for the same reason as `startBuild`); a server that finds it taken leaves the
   * row `building` for its next `resume`.
   */
  private async build(workspaceId: number, name: string, kind: AttributeIndexKind): Promise<void> {
    const lease = BUILD_LEASE;
    const take = () => {
      const now = this.clock.now();
      return acquireLease(this.store.db, lease, this.holder, now, now + LEASE_MS);
    };
    if (!(await take())) return;
    // Built (or removed) by another server since this one saw it.
    if ((await attributeIndexStatus(this.store.db, workspaceId, name, kind)) !== 'building') {
      await releaseLease(this.store.db, lease, this.holder).catch(() => undefined);
      return;
    }
    const renew = setInterval(() => void take().catch(() => undefined), LEASE_MS / 3);
    renew.unref();
    const started = performance.now();
    try {
      let error: string | null = null;
      try {
        await buildAttributeIndex(this.store, workspaceId, name, kind);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const now = unixSeconds(this.clock);
      const kept = await this.store.transaction((trx) =>
        setAttributeIndexStatus(trx, workspaceId, name, kind, error ? 'failed' : 'ready', error, now),
      );
      // Removed while it was being built (or failed): the index it left behind goes too.
      if (!kept || error)
        await dropAttributeIndex(this.store, workspaceId, name, kind).catch(() => undefined);
      this.log?.info(
        { workspaceId, name, kind, ms: Math.round(performance.now() - started), error },
        error ? 'indexed attributes: build failed' : 'indexed attributes: index ready',
      );
    } finally {
      clearInterval(renew);
      await releaseLease(this.store.db, lease, this.holder).catch(() => undefined);
    }
  }
}
