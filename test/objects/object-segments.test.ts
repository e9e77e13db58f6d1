import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../packages/server/src/services/services.js';
import { parseJson, type Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import { objectsApp, type ObjectsApp } from './helpers.js';

/**
 * Segments with conditions on related objects (docs/objects.md "Segments on objects"), in process on each engine: membership
 * follows relationship changes (the person's write) and object changes (set-based, inside the
 * object's write up to a bound, then in background batches the App API reports as catching up).
 */
describe.each(engines())('object conditions in segments on %s', (engine) => {
  let h: ObjectsApp | undefined;
  let store: Store;
  let services: Services;
  let segmentId = 0;
  /** Small, so a test can pass it: the rest of a change waits for the background batches. */
  const IN_WRITE = 5;

  beforeAll(async () => {
    h = await objectsApp(engine, 'objseg', { objectChangeInWrite: IN_WRITE });
    ({ store, services } = h);
  });
  afterAll(() => h?.close());

  const entity = (op: object) => h!.entity(op);
  const appApi = (method: 'GET' | 'POST', url: string, payload?: object) => h!.appApi(method, url, payload);
  const members = async (): Promise<string[]> => {
    const r = await appApi('GET', `/v1/segments/${segmentId}/membership?limit=1000`);
    return (r.json() as { identifiers: Array<{ id: string }> }).identifiers.map((i) => i.id).sort();
  };
  const company = (id: string, attributes: object, rels: Array<[string, object]> = []) =>
    h!.company(id, attributes, rels);
  const segmentActivities = async (personId: string) => {
    const rows = await store.db
      .selectFrom('activities')
      .innerJoin('people', 'people.pid', 'activities.person_pid')
      .select(['activities.type', 'activities.data'])
      .where('people.id', '=', personId)
      .where('activities.type', 'in', ['entered_segment', 'exited_segment'])
      .orderBy('activities.id')
      .execute();
    return rows.map((r) => ({
      type: r.type,
      segment: (parseJson(r.data) as { segment_id: number }).segment_id,
    }));
  };

  it('the admins of enterprise companies: relationship and object changes move people in and out', async () => {
    const r = await appApi('POST', '/v1/segments', {
      segment: {
        name: 'Enterprise admins',
        conditions: {
          object: {
            type_id: '1',
            where: { attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } },
            relationship: { attribute: { field: 'role', operator: 'eq', value: 'admin' } },
          },
        },
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    segmentId = (r.json() as { segment: { id: number } }).segment.id;

    await company('acme', { plan: 'pro' }, [
      ['dana', { role: 'admin' }],
      ['eve', { role: 'member' }],
    ]);
    expect(await members()).toEqual([]);
    // The object changes: its admin enters, inside that write.
    await company('acme', { plan: 'enterprise' });
    expect(await members()).toEqual(['dana']);
    expect(await segmentActivities('dana')).toEqual([{ type: 'entered_segment', segment: segmentId }]);
    // The relationship changes: the person's own write.
    await company('acme', {}, [['eve', { role: 'admin' }]]);
    expect(await members()).toEqual(['dana', 'eve']);
    await entity({
      type: 'person',
      action: 'delete_relationships',
      identifiers: { id: 'dana' },
      cio_relationships: [{ identifiers: { object_type_id: '1', object_id: 'acme' } }],
    });
    expect(await members()).toEqual(['eve']);
    expect(await segmentActivities('dana')).toEqual([
      { type: 'entered_segment', segment: segmentId },
      { type: 'exited_segment', segment: segmentId },
    ]);
    // Another company of the same kind keeps dana in; the object's deletion takes eve out.
    await company('globex', { plan: 'enterprise' }, [['dana', { role: 'admin' }]]);
    await entity({
      type: 'object',
      action: 'delete',
      identifiers: { object_type_id: '1', object_id: 'acme' },
    });
    expect(await members()).toEqual(['dana']);
  });

  it('explain names the object that made the difference', async () => {
    const r = await appApi('GET', `/v1/segments/${segmentId}/explain?customer_id=dana`);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json() as { result: boolean; tree: { seen: { matching: unknown[] } } };
    expect(body.result).toBe(true);
    expect(body.tree.seen.matching).toEqual([{ object_type_id: '1', object_id: 'globex' }]);
  });

  it('a change to an object with more people than one write handles catches up in bounded batches', async () => {
    const people = Array.from({ length: 23 }, (_, i) => `big${String(i).padStart(2, '0')}`);
    await company(
      'big',
      { plan: 'pro' },
      people.map((p) => [p, { role: 'admin' }]),
    );
    expect(await members()).toEqual(['dana']);
    await company('big', { plan: 'enterprise' });
    // The first IN_WRITE people moved with the write; the App API says the rest are catching up.
    expect(await members()).toHaveLength(1 + IN_WRITE);
    let view = (await appApi('GET', `/v1/segments/${segmentId}`)).json() as {
      segment: { state: string; catching_up?: boolean };
    };
    expect(view.segment).toMatchObject({ state: 'building', catching_up: true });
    let batches = 0;
    while (await services.segments.catchUpOnce()) batches++;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(await members()).toEqual(['dana', ...people].sort());
    view = (await appApi('GET', `/v1/segments/${segmentId}`)).json() as typeof view;
    expect(view.segment.state).toBe('finished');
    expect(view.segment.catching_up).toBeUndefined();
    // Deleting it: its people leave, the rest of them in the background too.
    await entity({
      type: 'object',
      action: 'delete',
      identifiers: { object_type_id: '1', object_id: 'big' },
    });
    while (await services.segments.catchUpOnce());
    expect(await members()).toEqual(['dana']);
    expect((await segmentActivities('big22')).map((a) => a.type)).toEqual([
      'entered_segment',
      'exited_segment',
    ]);
  });

  it('object conditions are checked like any other: a bad type id names the node', async () => {
    const r = await appApi('POST', '/v1/segments', {
      segment: { name: 'bad', conditions: { object: { type_id: 'companies' } } },
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('object.type_id must be an object type id');
  });
});
