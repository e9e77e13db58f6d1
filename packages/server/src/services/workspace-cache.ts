import type { ChangeFeed } from '../store/store.js';
import type { WriteKeyRow } from '../store/pipelines/write-keys.js';
import type { WorkspaceRow } from '../store/workspaces/queries.js';

/**
 * How long a cached workspace is trusted without hearing about it: the fallback for a notification
 * that never arrives although the feed stayed connected (it should not happen; NOTIFY is delivered
 * at commit to every listening session). 10 s bounds how long such a miss could last, at one
 * lookup per workspace per 10 s on a busy server.
 */
const FALLBACK_MS = 10_000;
/** Entries kept per map before it is emptied: far above any real number of workspaces. */
const MAX_ENTRIES = 10_000;

interface Entry<R extends WorkspaceRow = WorkspaceRow> {
  row: R;
  generation: number;
  at: number;
}

/**
 * Workspace rows (with their key hashes) by site id, by App API key digest and by Pipelines write
 * key digest, so an authenticated request needs no lookup of its own. On SQLite the feed is
 * store/sqlite/workspace-feed.ts (its generation moves at any change). Right across servers: an entry is dropped when
 * PostgreSQL notifies a change to its workspace (migration 090's trigger), everything is dropped
 * when the notification connection drops or returns, nothing is trusted while it is down, and no
 * entry is older than `FALLBACK_MS`. A read that raced a change is not kept.
 */
export class WorkspaceCache {
  private readonly bySite = new Map<string, Entry>();
  private readonly byAppKey = new Map<string, Entry>();
  /** Write key rows (the workspace plus the key's kind); migration 092 notifies their changes. */
  private readonly byWriteKey = new Map<string, Entry<WriteKeyRow>>();
  /** Bumped by every change heard: a read that began before it is not cached. */
  private seq = 0;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly now: () => number = Date.now,
  ) {
    feed.subscribe({
      onChange: (payload) => {
        // Other news on the channel (queued work: `work:…`) is not about workspaces.
        if (!payload.startsWith('workspace:')) return;
        this.seq++;
        const m = /^workspace:(\d+)$/.exec(payload);
        if (m) this.forget(Number(m[1]));
        else this.clear();
      },
      onReset: () => {
        this.seq++;
        this.clear();
      },
    });
  }

  /** A row for `key`, from memory when it is known to be current, else from `read`. */
  async site(
    siteId: string,
    read: () => Promise<WorkspaceRow | undefined>,
  ): Promise<WorkspaceRow | undefined> {
    return this.lookup(this.bySite, siteId, read);
  }

  /**
   * The row for `siteId` when memory holds it and it is known to be current, without I/O (the
   * Track fast lane's synchronous path); undefined means "not known here", not "no such site".
   */
  siteNow(siteId: string): WorkspaceRow | undefined {
    return this.current(this.bySite, siteId, this.now());
  }

  async appKey(
    digest: string,
    read: () => Promise<WorkspaceRow | undefined>,
  ): Promise<WorkspaceRow | undefined> {
    return this.lookup(this.byAppKey, digest, read);
  }

  async writeKey(
    digest: string,
    read: () => Promise<WriteKeyRow | undefined>,
  ): Promise<WriteKeyRow | undefined> {
    return this.lookup(this.byWriteKey, digest, read);
  }

  /** Drops a workspace (this process changed it; other servers hear of it by notification). */
  forget(workspaceId: number): void {
    this.seq++;
    for (const map of [this.bySite, this.byAppKey, this.byWriteKey] as Map<string, Entry>[])
      for (const [k, e] of map) if (Number(e.row.id) === workspaceId) map.delete(k);
  }

  clear(): void {
    this.bySite.clear();
    this.byAppKey.clear();
    this.byWriteKey.clear();
  }

  /** A held row for `key` that is current: heard of no change, feed live, younger than the fallback. */
  private current<R extends WorkspaceRow>(
    map: Map<string, Entry<R>>,
    key: string,
    now: number,
  ): R | undefined {
    const hit = map.get(key);
    if (hit && this.feed.live && hit.generation === this.feed.generation && now - hit.at < FALLBACK_MS)
      return hit.row;
    return undefined;
  }

  private async lookup<R extends WorkspaceRow>(
    map: Map<string, Entry<R>>,
    key: string,
    read: () => Promise<R | undefined>,
  ): Promise<R | undefined> {
    const now = this.now();
    const current = this.current(map, key, now);
    if (current) return current;
    map.delete(key);
    const seq = this.seq;
    const generation = this.feed.generation;
    const row = await read();
    // Unknown keys are not kept (they would let anyone fill memory); nor is a read that raced a change.
    if (row && this.feed.live && seq === this.seq && generation === this.feed.generation) {
      if (map.size >= MAX_ENTRIES) map.clear();
      map.set(key, { row, generation, at: now });
    }
    return row;
  }
}
