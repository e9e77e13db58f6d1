import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../packages/server/src/services/services.js';
import { parseJson, type Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import { objectActivities, objectBy, objectsApp, type ObjectsApp } from './helpers.js';

/**
 * Deleting an object with more related people than one write handles (docs/objects.md "Segments
 * on objects"): the write removes every relationship, records the history and segment exits of the
 * first ROSTER_OBJECT_CHANGE_IN_WRITE people, and queues the rest, which background batches
 * complete: nothing lost, nothing twice. On each engine, with and without segments about objects.
 */
describe.each(engines())('deleting an object with many people on %s', (engine) => {
  let h: ObjectsApp | undefined;
  let store: Store;
  let app: FastifyInstance;
  let services: Services;
  let bearer: string;
  const IN_WRITE = 5;
  const PEOPLE = Array.from({ length: 17 }, (_, i) => `p${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    h = await objectsApp(engine, 'objdel', { objectChangeInWrite: IN_WRITE });
    ({ store, app, services, bearer } = h);
  });
  afterAll(() => h?.close());

  const entity = (op: object) => h!.entity(op);
  const relate = (typeId: string, id: string) =>
    entity({
      type: 'object',
      action: 'identify',
      identifiers: { object_type_id: typeId, object_id: id },
      attributes: { plan: 'enterprise' },
      cio_relationships: PEOPLE.map((p) => ({
        identifiers: { id: p },
        relationship_attributes: { role: 'admin' },
      })),
    });
  const remove = (typeId: string, id: string) =>
    entity({ type: 'object', action: 'delete', identifiers: { object_type_id: typeId, object_id: id } });
  /** Each person's activities of these types about objects of `typeId`, as `type:object_id`. */
  const history = async (typeId: string, types: string[]) => {
    const rows = await store.db
      .selectFrom('activities')
      .innerJoin('people', 'people.pid', 'activities.person_pid')
      .select(['people.id', 'activities.type', 'activities.name', 'activities.data', 'activities.source'])
      .where('activities.type', 'in', types)
      .orderBy('activities.id')
      .execute();
    const out: Record<string, string[]> = {};
    for (const r of rows) {
      const data = parseJson<{ object_type_id?: string; segment_id?: number }>(r.data);
      if (data?.object_type_id !== undefined && data.object_type_id !== typeId) continue;
      (out[r.id!] ??= []).push(`${r.type}:${r.name}:${r.source}`);
    }
    return out;
  };
  const relationshipsOfObject = async (oid: number) =>
    Number(
      (
        await store.db
          .selectFrom('relationships')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('object_oid', '=', oid)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const drain = async () => {
    let batches = 0;
    while (await services.segments.catchUpOnce()) batches++;
    return batches;
  };

  it('without segments: every relationship goes in the write, the history of the rest follows in the background, once each', async () => {
    await relate('1', 'acme');
    const acme = (await objectBy(store, '1', 'acme'))!;
    await remove('1', 'acme');
    expect(await relationshipsOfObject(acme.oid)).toBe(0);
    const inWrite = await history('1', ['delete_relationship']);
    expect(Object.keys(inWrite).sort()).toEqual(PEOPLE.slice(0, IN_WRITE));
    expect((await objectActivities(store, acme.oid)).at(-1)).toMatchObject({
      type: 'delete',
      data: { relationships: PEOPLE.length },
    });
    expect(await drain()).toBeGreaterThanOrEqual(1);
    const all = await history('1', ['delete_relationship']);
    expect(Object.keys(all).sort()).toEqual(PEOPLE);
    // Once each, with the deleting write's source, whether recorded in the write or after it.
    for (const p of PEOPLE)
      expect(all[p]).toEqual([expect.stringMatching(/^delete_relationship:acme:track_v2/)]);
    expect(await drain()).toBe(0);
  });

  it('with a segment about the type: the rest exit in the same background batches', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/v1/segments',
      payload: { segment: { name: 'Clients', conditions: { object: { type_id: '2' } } } },
      headers: { authorization: bearer },
    });
    expect(r.statusCode, r.body).toBe(200);
    const segmentId = (r.json() as { segment: { id: number } }).segment.id;
    await relate('2', 'globex');
    const members = async () =>
      (
        (
          await app.inject({
            method: 'GET',
            url: `/v1/segments/${segmentId}/membership?limit=1000`,
            headers: { authorization: bearer },
          })
        ).json() as { identifiers: unknown[] }
      ).identifiers.length;
    expect(await members()).toBe(PEOPLE.length);
    await remove('2', 'globex');
    expect(await members()).toBe(PEOPLE.length - IN_WRITE);
    await drain();
    expect(await members()).toBe(0);
    const all = await history('2', ['delete_relationship']);
    for (const p of PEOPLE)
      expect(all[p]).toEqual([expect.stringMatching(/^delete_relationship:globex:track_v2/)]);
  });
});
