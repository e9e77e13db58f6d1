import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import type { ServerProcess } from '../helpers/server-process.js';
import { activitiesOf, openServerStore, personBy, raw, startTrackServer } from './helpers.js';

/** Identifier rules (docs/track-api.md §3) over raw HTTP, on each engine. */
describe.each(engines())('identity rules on %s', (engine) => {
  let server: ServerProcess;
  let store: Store;
  let call: ReturnType<typeof raw>;
  const put = (id: string, body: unknown) => call('PUT', `/api/v1/customers/${encodeURIComponent(id)}`, body);

  beforeAll(async () => {
    server = await startTrackServer({ engine });
    store = await openServerStore(server);
    call = raw(server);
  });
  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  const lastFailure = async (pid: number) =>
    (await activitiesOf(store, pid)).filter((a) => a.type === 'failed_attribute_change').at(-1)?.data;

  // A batch remembers, for the rest of its transaction, that the workspace has no suppression and
  // which segment definitions it has; these check that what changes inside the batch still counts.
  it('in one v2 batch, a suppression blocks the items after it, and a deletion records manual segment exits', async () => {
    const app = { authorization: `Bearer ${server.credentials.appApiKey}` };
    const seg = await call('POST', '/v1/segments', { segment: { name: 'batch-manual' } }, app);
    expect(seg.status).toBe(200);
    const segmentId = (seg.json.segment as { id: number }).id;
    await put('bm-member', { a: 1 });
    expect(
      (await call('POST', `/api/v1/segments/${segmentId}/add_customers`, { ids: ['bm-member'] })).status,
    ).toBe(200);
    const member = (await personBy(store, 'id', 'bm-member'))!;

    const batch = await call('POST', '/api/v2/batch', {
      batch: [
        { type: 'person', action: 'identify', identifiers: { id: 'bs-1' }, attributes: { a: 1 } },
        { type: 'person', action: 'suppress', identifiers: { id: 'bs-1' } },
        { type: 'person', action: 'identify', identifiers: { id: 'bs-1' }, attributes: { a: 2 } },
        { type: 'person', action: 'identify', identifiers: { id: 'bs-2' }, attributes: { a: 3 } },
        { type: 'person', action: 'delete', identifiers: { id: 'bm-member' } },
      ],
    });
    expect(batch.status).toBe(200);
    expect(await personBy(store, 'id', 'bs-1')).toBeUndefined();
    expect(await personBy(store, 'id', 'bs-2')).toMatchObject({ attributes: { a: 3 } });
    expect(await personBy(store, 'id', 'bm-member')).toBeUndefined();
    const exits = (await activitiesOf(store, member.pid)).filter((a) => a.type === 'exited_segment');
    expect(exits).toEqual([
      expect.objectContaining({ data: { segment_id: segmentId, segment_name: 'batch-manual' } }),
    ]);
  });

  it('an email path finds a person created by id once they have that email, and gives them no new id', async () => {
    await put('idr-1', { email: 'idr1@example.com' });
    await put('IDR1@example.com', { a: 1 });
    const p = await personBy(store, 'id', 'idr-1');
    expect(p).toMatchObject({ email: 'idr1@example.com', attributes: { a: 1 } });
  });

  it('a new id path with an existing email gives that person the id when they had none', async () => {
    await put('noid@example.com', { a: 1 });
    await put('newid', { email: 'noid@example.com', b: 2 });
    const p = await personBy(store, 'email', 'noid@example.com');
    expect(p).toMatchObject({ id: 'newid', attributes: { a: 1, b: 2 } });
  });

  it('id is case-sensitive', async () => {
    await put('CaseId', {});
    await put('caseid', {});
    expect((await personBy(store, 'id', 'CaseId'))!.pid).not.toBe(
      (await personBy(store, 'id', 'caseid'))!.pid,
    );
  });

  it('changing an email through an id path fails with 200 and a recorded reason', async () => {
    await put('keep', { email: 'keep@example.com' });
    const r = await put('keep', { email: 'changed@example.com', x: 1 });
    expect(r.status).toBe(200);
    const p = (await personBy(store, 'id', 'keep'))!;
    expect(p).toMatchObject({ email: 'keep@example.com', attributes: { x: 1 } });
    expect(await lastFailure(p.pid)).toMatchObject({ reason: expect.stringContaining('cio_') });
  });

  it('addressed by cio_ the identifiers change; cio_id itself never does', async () => {
    await put('cio-person', { email: 'cio1@example.com' });
    const p = (await personBy(store, 'id', 'cio-person'))!;
    await put(`cio_${p.cio_id}`, {
      id: 'cio-person-2',
      email: 'cio2@example.com',
      cio_id: 'ffffffffffffffff',
    });
    const after = (await personBy(store, 'cio_id', p.cio_id))!;
    expect(after).toMatchObject({ id: 'cio-person-2', email: 'cio2@example.com', pid: p.pid });
    const change = (await activitiesOf(store, p.pid)).filter((a) => a.type === 'attribute_change').at(-1);
    expect(change?.data).toMatchObject({ id: { from: 'cio-person', to: 'cio-person-2' } });
    // An unknown cio_id creates no one.
    expect((await put('cio_0000000000000000', { a: 1 })).status).toBe(200);
    expect(await personBy(store, 'cio_id', '0000000000000000')).toBeUndefined();
  });

  it('the workspace flag lets email change through id', async () => {
    const ws = await store.db
      .selectFrom('workspaces')
      .select(['id', 'settings'])
      .where('site_id', '=', server.credentials.siteId)
      .executeTakeFirstOrThrow();
    const settings = typeof ws.settings === 'string' ? JSON.parse(ws.settings) : ws.settings;
    await store.db
      .updateTable('workspaces')
      .set({ settings: JSON.stringify({ ...settings, allowEmailUpdateViaId: true }) })
      .where('id', '=', ws.id)
      .execute();
    try {
      await put('flag', { email: 'flag1@example.com' });
      await put('flag', { email: 'flag2@example.com' });
      expect((await personBy(store, 'id', 'flag'))!.email).toBe('flag2@example.com');
    } finally {
      await store.db
        .updateTable('workspaces')
        .set({ settings: JSON.stringify(settings) })
        .where('id', '=', ws.id)
        .execute();
    }
  });

  it('identifiers that point at two people change neither, answer 200, and say why', async () => {
    await put('two-a', { email: 'two-a@example.com' });
    await put('two-b', { email: 'two-b@example.com' });
    const r = await put('two-a', { email: 'two-b@example.com', z: 1 });
    expect(r.status).toBe(200);
    const a = (await personBy(store, 'id', 'two-a'))!;
    expect(a.email).toBe('two-a@example.com');
    expect(await lastFailure(a.pid)).toMatchObject({
      reason: expect.stringContaining('belongs to another person'),
    });
    // Neither identifier matches the path and the body names two different people.
    await put('two-c@example.com', { id: 'two-a' });
    expect(await personBy(store, 'email', 'two-c@example.com')).toBeUndefined();
    await call('PUT', '/api/v1/customers/two-new', { email: 'two-b@example.com' });
    const b = (await personBy(store, 'email', 'two-b@example.com'))!;
    expect(b.id).toBe('two-b');
    expect(await personBy(store, 'id', 'two-new')).toBeUndefined();
    expect(await lastFailure(b.pid)).toMatchObject({ reason: expect.stringContaining('cio_') });
  });

  it('_update never creates anyone', async () => {
    expect((await put('ghost', { _update: true, a: 1 })).status).toBe(200);
    expect(await personBy(store, 'id', 'ghost')).toBeUndefined();
    await put('ghost', {});
    await put('ghost', { _update: true, a: 1 });
    expect((await personBy(store, 'id', 'ghost'))!.attributes).toEqual({ a: 1 });
  });

  it('v2 identify uses timestamp for last-write-wins and cio_id without prefix', async () => {
    const op = (attrs: object, timestamp: number) => ({
      type: 'person',
      action: 'identify',
      identifiers: { id: 'v2lww' },
      attributes: attrs,
      timestamp,
    });
    await call('POST', '/api/v2/batch', {
      // Both in the past: more than a day ahead of the server's clock is refused (docs/security.md).
      batch: [op({ a: 'new' }, 1_700_000_000), op({ a: 'old', b: 1 }, 1_000_000_000)],
    });
    const p = (await personBy(store, 'id', 'v2lww'))!;
    expect(p.attributes).toEqual({ a: 'new', b: 1 });
    await call('POST', '/api/v2/entity', {
      type: 'person',
      action: 'identify',
      identifiers: { cio_id: p.cio_id },
      attributes: { c: 3 },
    });
    expect((await personBy(store, 'id', 'v2lww'))!.attributes).toEqual({ a: 'new', b: 1, c: 3 });
    await call('POST', '/api/v2/entity', { type: 'person', action: 'delete', identifiers: { id: 'v2lww' } });
    expect(await personBy(store, 'id', 'v2lww')).toBeUndefined();
  });
});
