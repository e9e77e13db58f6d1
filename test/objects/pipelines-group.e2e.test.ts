import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startPipelinesServer, type PipelinesServer } from '../pipelines/helpers.js';

/** Pipelines `group` and the object semantic events (docs/pipelines.md "What maps to what") become objects. */
describe.each(engines())('Pipelines group calls on %s', (engine) => {
  let s: PipelinesServer;
  beforeAll(async () => {
    s = await startPipelinesServer(engine);
  });
  afterAll(async () => {
    await s?.server.cleanup();
  });

  const batch = (calls: unknown[]) =>
    s.post('/v1/batch', { batch: calls }, { headers: { authorization: s.basic() } });

  it('group creates the object with its traits and relates the user; the semantic events undo it', async () => {
    let res = await batch([
      {
        type: 'group',
        userId: 'g1',
        groupId: 'acme',
        traits: {
          name: 'Acme',
          plan: 'enterprise',
          createdAt: '2024-01-01T00:00:00Z',
          objectAttributes: { region: 'eu' },
          relationshipAttributes: { role: 'admin' },
        },
        messageId: 'g1-group',
      },
      {
        type: 'group',
        userId: 'g2',
        groupId: 'course-1',
        traits: { objectTypeId: 2, title: 'Intro' },
        messageId: 'g2',
      },
    ]);
    expect(res.status).toBe(200);
    const acme = await s.app<{ object: { attributes: Record<string, string> } }>(
      '/v1/objects/1/acme/attributes',
    );
    expect(acme.status).toBe(200);
    expect(acme.json.object.attributes).toEqual({
      name: 'Acme',
      plan: 'enterprise',
      created_at: '1704067200',
      region: 'eu',
    });
    const rels = await s.app<{ cio_relationships: unknown[] }>('/v1/customers/g1/relationships');
    expect(rels.json.cio_relationships).toEqual([
      expect.objectContaining({
        identifiers: expect.objectContaining({ object_type_id: '1', object_id: 'acme' }),
        relationship_attributes: { role: 'admin' },
      }),
    ]);
    expect((await s.app('/v1/objects/2/course-1/attributes')).status).toBe(200);

    res = await batch([
      {
        type: 'track',
        userId: 'g1',
        event: 'Relationship Deleted',
        properties: { objectId: 'acme', objectTypeId: 1 },
        messageId: 'g1-rel-del',
      },
      {
        type: 'track',
        anonymousId: 'x',
        event: 'Object Deleted',
        properties: { objectId: 'course-1', objectTypeId: 2 },
        messageId: 'od',
      },
    ]);
    expect(res.status).toBe(200);
    expect(
      (await s.app<{ cio_relationships: unknown[] }>('/v1/customers/g1/relationships')).json
        .cio_relationships,
    ).toEqual([]);
    expect((await s.app('/v1/objects/2/course-1/attributes')).status).toBe(404);
    expect((await s.app('/v1/objects/1/acme/attributes')).status).toBe(200);
  });
});
