import pg from 'pg';
import type { ChangeFeed, ChangeListener } from '../store.js';

/** The channel migration 090's triggers notify. */
export const CHANGES_CHANNEL = 'roster_changes';
/** Reconnect delays after the listening connection is lost: from 100 ms up to 5 s. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * One dedicated connection per server process that LISTENs on `roster_changes` (outside the pool:
 * a pooled connection goes back to the pool and stops listening). Started by the first
 * subscriber. While it is down nothing is known to be unchanged: `live` is false and subscribers
 * are told to forget everything (`onReset`) when it drops, and again when it is back.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private epoch = 0;
  live = false;

  constructor(private readonly connectionString: string) {}

  /** Changes while the feed was last connected; bumps on every reconnect and every loss. */
  get generation(): number {
    return this.epoch;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.connecting && !this.closed) void this.connect();
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the feed listens (tests; the first requests of a server run uncached meanwhile). */
  async ready(): Promise<void> {
    if (!this.client && !this.connecting && !this.closed) void this.connect();
    await this.connecting;
  }

  private connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'roster-listen',
    });
    this.connecting = (async () => {
      try {
        client.on('error', () => this.lost(client));
        client.on('end', () => this.lost(client));
        client.on('notification', (n) => {
          if (n.channel !== CHANGES_CHANNEL) return;
          for (const l of this.listeners) l.onChange(n.payload ?? '');
        });
        await client.connect();
        await client.query(`listen ${CHANGES_CHANNEL}`);
        if (this.closed) {
          await client.end().catch(() => undefined);
          return;
        }
        this.client = client;
        this.retryMs = RETRY_MIN_MS;
        this.epoch++;
        this.live = true;
        // Whatever changed while nobody listened is unknown.
        for (const l of this.listeners) l.onReset();
      } catch {
        this.lost(client);
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private lost(client: pg.Client): void {
    if (this.client && this.client !== client) return;
    const wasLive = this.live;
    this.client = undefined;
    this.live = false;
    this.epoch++;
    client.end().catch(() => undefined);
    if (wasLive) for (const l of this.listeners) l.onReset();
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed && !this.client && !this.connecting) void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
