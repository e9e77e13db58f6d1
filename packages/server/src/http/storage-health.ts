import type { FastifyInstance } from 'fastify';

/**
 * Whether an error says the store has no room left: SQLite's SQLITE_FULL ("database or disk is
 * full"), PostgreSQL's `disk_full` (53100), or ENOSPC from the file system.
 */
export function isStorageFull(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  if (e.code === 'SQLITE_FULL' || e.code === '53100' || e.code === 'ENOSPC') return true;
  return typeof e.message === 'string' && /database or disk is full|No space left on device/i.test(e.message);
}

/** How long to tell clients to wait before retrying a write refused for lack of space. */
export const STORAGE_FULL_RETRY_SECONDS = 30;

/**
 * What `/healthz` reports about writes (docs/security.md "Storage full"): after a write fails
 * because the store is full, health is `degraded` (503) until a write succeeds again, so monitoring
 * sees the problem while reads keep working. Per process.
 */
export class StorageHealth {
  private fullSince: number | undefined;

  constructor(private readonly nowMs: () => number) {}

  /** Unix seconds since writes have been failing for lack of space; undefined when they are not. */
  get storageFullSince(): number | undefined {
    return this.fullSince;
  }

  /** Watches every answer: a storage-full error marks it, a successful write clears it. */
  register(app: FastifyInstance): void {
    // Callback hooks, not async ones: they run on every request, and a promise each costs more
    // than the check.
    app.addHook('onError', (_request, _reply, err, done) => {
      if (isStorageFull(err)) this.fullSince ??= Math.floor(this.nowMs() / 1000);
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      if (
        reply.statusCode < 300 &&
        request.method !== 'GET' &&
        request.method !== 'HEAD' &&
        request.method !== 'OPTIONS'
      )
        this.wrote();
      done();
    });
  }

  /** A write succeeded: there is room again (the Track fast lane's successes say so here too). */
  wrote(): void {
    this.fullSince = undefined;
  }
}
