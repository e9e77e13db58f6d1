import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient, RegionUS, TrackClient } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';

type Json = Record<string, unknown>;

/**
 * Editing a dynamic segment the way the dashboard does: read its conditions back, change them,
 * save. Membership is recomputed in the PUT, with an entered/exited activity for each person whose
 * membership changed; a segment's type (manual or dynamic) is fixed when it is created.
 */
describe.each(engines())('editing segments (%s)', (engine) => {
  let server: ServerProcess;
  let track: TrackClient;
  let api: APIClient;

  async function app(path: string, init: { method?: string; body?: unknown } = {}) {
    const res = await fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${server.credentials.appApiKey}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
  }

  const members = async (id: number) =>
    ((await app(`/v1/segments/${id}/membership`)).json.ids as string[]).sort();

  /** A person's entered/exited activities for one segment, oldest first, as "+name"/"-name". */
  async function transitions(person: string, segmentId: number): Promise<string[]> {
    const r = await app(`/v1/customers/${person}/activities?limit=100`);
    return (r.json.activities as Array<{ type: string; data: { segment_id: number; segment_name: string } }>)
      .filter((a) => a.type.endsWith('_segment') && Number(a.data.segment_id) === segmentId)
      .reverse()
      .map((a) => `${a.type === 'entered_segment' ? '+' : '-'}${a.data.segment_name}`);
  }

  beforeAll(async () => {
    server = await startServer({ engine, env: { ROSTER_LOG_LEVEL: 'warn' } });
    track = new TrackClient(server.credentials.siteId, server.credentials.apiKey, {
      region: RegionUS,
      url: server.trackUrl,
    });
    api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    await track.identify('p1', { plan: 'pro', seats: 3 });
    await track.identify('p2', { plan: 'pro', seats: 12 });
    await track.identify('p3', { plan: 'free', seats: 20 });
    await track.addDevice('p3', 'tok-p3', 'ios', { app_version: '3.16' });
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it('reads conditions back exactly as saved, on the segment and in the list', async () => {
    const conditions = {
      and: [
        { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
        { not: { device: { attribute: { field: 'platform', operator: 'eq', value: 'ios' } } } },
        { event: { name: 'purchase', count: { operator: 'eq', value: 0 }, within: '30d' } },
      ],
    };
    const created = await app('/v1/segments', {
      method: 'POST',
      body: { segment: { name: 'Pro', description: 'paying', conditions } },
    });
    expect(created.status).toBe(200);
    const seg = created.json.segment as { id: number; conditions: unknown };
    expect(seg.conditions).toEqual(conditions);

    const one = await app(`/v1/segments/${seg.id}`);
    expect(one.json.segment).toMatchObject({ id: seg.id, type: 'dynamic', conditions });
    const list = (await app('/v1/segments')).json.segments as Array<{ id: number; conditions: unknown }>;
    expect(list.find((s) => s.id === seg.id)?.conditions).toEqual(conditions);

    const manual = await app('/v1/segments', { method: 'POST', body: { segment: { name: 'Hand-picked' } } });
    expect((manual.json.segment as Json).conditions).toBeNull();
    // customerio-node reads the same answers (the extra field is ignored).
    const viaClient = (await api.listSegments()) as { segments: Array<{ id: number; name: string }> };
    expect(viaClient.segments.map((s) => s.name)).toEqual(expect.arrayContaining(['Pro', 'Hand-picked']));
  });

  it('recomputes membership when conditions change, recording each entry and exit', async () => {
    const created = await app('/v1/segments', {
      method: 'POST',
      body: {
        segment: {
          name: 'Big teams',
          conditions: { attribute: { field: 'seats', operator: 'gte', value: 10 } },
        },
      },
    });
    const id = (created.json.segment as { id: number }).id;
    expect(await members(id)).toEqual(['p2', 'p3']);

    // p1 enters, p3 leaves, p2 stays: one activity each for p1 and p3, none for p2.
    const put = await app(`/v1/segments/${id}`, {
      method: 'PUT',
      body: { segment: { conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } } },
    });
    expect(put.status).toBe(200);
    expect((put.json.segment as Json).conditions).toEqual({
      attribute: { field: 'plan', operator: 'eq', value: 'pro' },
    });
    expect(await members(id)).toEqual(['p1', 'p2']);
    expect(await transitions('p1', id)).toEqual(['+Big teams']);
    expect(await transitions('p2', id)).toEqual(['+Big teams']);
    expect(await transitions('p3', id)).toEqual(['+Big teams', '-Big teams']);
    expect((await app(`/v1/segments/${id}/customer_count`)).json.count).toBe(2);

    // Renaming keeps the conditions; the next change is recorded under the new name.
    const renamed = await app(`/v1/segments/${id}`, {
      method: 'PUT',
      body: { segment: { name: 'Pro accounts', description: 'renamed' } },
    });
    expect(renamed.json.segment).toMatchObject({
      name: 'Pro accounts',
      description: 'renamed',
      conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
    });
    await track.identify('p3', { plan: 'pro' });
    expect(await members(id)).toEqual(['p1', 'p2', 'p3']);
    expect(await transitions('p3', id)).toEqual(['+Big teams', '-Big teams', '+Pro accounts']);
  });

  it('keeps a segment manual or dynamic: converting is refused with a clear 400', async () => {
    const manual = await app('/v1/segments', { method: 'POST', body: { segment: { name: 'Manual' } } });
    const manualId = (manual.json.segment as { id: number }).id;
    const toDynamic = await app(`/v1/segments/${manualId}`, {
      method: 'PUT',
      body: { segment: { conditions: { attribute: { field: 'plan', operator: 'exists' } } } },
    });
    expect(toDynamic.status).toBe(400);
    expect(toDynamic.json.errors).toEqual([
      expect.objectContaining({
        detail: expect.stringContaining('a manual segment cannot take conditions'),
        source: { pointer: '/segment/conditions' },
      }),
    ]);

    const dynamic = await app('/v1/segments', {
      method: 'POST',
      body: {
        segment: { name: 'Dynamic', conditions: { attribute: { field: 'plan', operator: 'exists' } } },
      },
    });
    const dynamicId = (dynamic.json.segment as { id: number }).id;
    const toManual = await app(`/v1/segments/${dynamicId}`, {
      method: 'PUT',
      body: { segment: { conditions: null } },
    });
    expect(toManual.status).toBe(400);
    expect(JSON.stringify(toManual.json)).toContain("a dynamic segment's conditions cannot be removed");
    // Nothing changed.
    expect((await app(`/v1/segments/${dynamicId}`)).json.segment).toMatchObject({
      type: 'dynamic',
      conditions: { attribute: { field: 'plan', operator: 'exists' } },
    });
    expect((await app(`/v1/segments/${manualId}`)).json.segment).toMatchObject({
      type: 'manual',
      conditions: null,
    });
  });
});
