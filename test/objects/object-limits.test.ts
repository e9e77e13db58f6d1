import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import { objectBy, objectsApp, relationshipsOf, type ObjectsApp } from './helpers.js';

/**
 * The object limits not covered elsewhere (docs/objects.md "Limits"): attribute names, relationship
 * attributes, object types per workspace, each refused by batch item with a message naming it,
 * nothing of the refused item written.
 */
describe.each(engines())('object limits on %s', (engine) => {
  let h: ObjectsApp | undefined;
  let store: Store;
  let app: FastifyInstance;
  let track: string;

  beforeAll(async () => {
    h = await objectsApp(engine, 'objlim');
    ({ store, app, track } = h);
  });
  afterAll(() => h?.close());

  const batch = async (ops: object[]) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v2/batch',
      payload: { batch: ops },
      headers: { authorization: track },
    });
    return {
      status: r.statusCode,
      errors: (r.json() as { errors?: Array<Record<string, unknown>> }).errors ?? [],
    };
  };
  const obj = (typeId: string, id: string, extra: object = {}) => ({
    type: 'object',
    action: 'identify',
    identifiers: { object_type_id: typeId, object_id: id },
    ...extra,
  });

  it('attribute names over 150 bytes and relationship attributes over the limits are refused by item', async () => {
    const r = await batch([
      obj('1', 'named', { attributes: { ['n'.repeat(151)]: 1 } }),
      obj('1', 'rel', {
        cio_relationships: [
          { identifiers: { id: 'dana' }, relationship_attributes: { role: 'r'.repeat(1001) } },
        ],
      }),
      obj('1', 'rel2', {
        cio_relationships: [
          {
            identifiers: { id: 'dana' },
            relationship_attributes: Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i])),
          },
        ],
      }),
      obj('1', 'fine', { attributes: { plan: 'pro' } }),
    ]);
    expect(r.status).toBe(207);
    expect(r.errors.map((e) => e.batch_index)).toEqual([0, 1, 2]);
    expect(String(r.errors[0]!.message)).toMatch(/150 bytes/);
    expect(String(r.errors[1]!.message)).toMatch(/1000 bytes/);
    expect(String(r.errors[2]!.message)).toMatch(/300 attributes/);
    expect(await objectBy(store, '1', 'named')).toBeUndefined();
    expect(await objectBy(store, '1', 'rel')).toBeUndefined();
    expect(await objectBy(store, '1', 'fine')).toMatchObject({ attributes: { plan: 'pro' } });
    const dana = await store.db
      .selectFrom('people')
      .select('pid')
      .where('id', '=', 'dana')
      .executeTakeFirst();
    if (dana) expect(await relationshipsOf(store, Number(dana.pid))).toEqual({});
  });

  it('a workspace holds at most 100 object types: the 101st is refused with a message', async () => {
    const ok = await batch(Array.from({ length: 99 }, (_, i) => obj(String(i + 2), 'x')));
    expect(ok.status, JSON.stringify(ok.errors)).toBe(200);
    const r = await batch([obj('101', 'x'), obj('5', 'y')]);
    expect(r.status).toBe(207);
    expect(r.errors).toMatchObject([
      { batch_index: 0, message: 'a workspace cannot have more than 100 object types' },
    ]);
    expect(await objectBy(store, '101', 'x')).toBeUndefined();
    expect(await objectBy(store, '5', 'y')).toBeDefined();
  });
});
