import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import type { Services } from '../../src/services/services.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import type { BatchItem, BatchOptions } from '../../src/services/track/track-service.js';
import type { Workspace } from '../../src/store/workspaces/workspace.js';

/**
 * Overload: with ROSTER_PIPELINES_MAX_CONCURRENT batches in flight, the next request answers 429 with
 * Retry-After (Segment's and RudderStack's clients wait that long), and once one finishes the next
 * one is taken again. A batch is held in flight here by holding its transaction.
 */
describe('Pipelines overload', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let writeKey: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-overload-'));
    store = await openStore({ dataDir: dir });
    ({ app, services } = await buildApp({ store, pipelinesMaxConcurrent: 1 }));
    const { credentials } = await services.workspaces.create({ name: 'Overload' });
    writeKey = credentials.writeKey!;
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 429 with Retry-After while the limit is in flight, and serves again after', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    const real = services.track.executeBatch.bind(services.track);
    services.track.executeBatch = async (
      ws: Workspace | null,
      source: string,
      items: readonly BatchItem[],
      options?: BatchOptions,
    ) => {
      entered();
      await held;
      return real(ws, source, items, options);
    };
    const payload = JSON.stringify({ batch: [{ type: 'identify', userId: 'o1', traits: {} }], writeKey });
    const first = app.inject({
      method: 'POST',
      url: '/v1/b',
      payload,
      headers: { 'content-type': 'text/plain' },
    });
    await inFlight;
    const second = await app.inject({
      method: 'POST',
      url: '/v1/b',
      payload,
      headers: { 'content-type': 'text/plain' },
    });
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.json()).toEqual({ meta: { error: expect.stringContaining('retry') } });
    release();
    expect((await first).statusCode).toBe(200);
    services.track.executeBatch = real;
    const third = await app.inject({
      method: 'POST',
      url: '/v1/b',
      payload,
      headers: { 'content-type': 'text/plain' },
    });
    expect(third.statusCode).toBe(200);
  });
});
