import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIClient } from 'customerio-node';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { appCall, configureProviders, startFakes, trackCall, waitFor, type Fakes } from './helpers.js';

const PEOPLE = 3000;
const token = (i: number) => `fcm-b-${String(i).padStart(5, '0')}`;

/**
 * A broadcast to a segment of a few thousand people, with the server killed (SIGKILL) once while it
 * fans out and once while it sends: every person gets exactly one message (one delivery id per
 * token at the fake FCM); only pushes in flight at the kill may reach the wire twice, with the same
 * delivery id (docs/messaging.md, "The outbox and delivery guarantees").
 */
describe.each(engines())('broadcast to a segment survives kill -9 (%s)', (engine) => {
  let server: ServerProcess;
  let fakes: Fakes;

  beforeAll(async () => {
    fakes = await startFakes();
    server = await startServer({
      engine,
      env: {
        ROSTER_DELIVERY_LEASE_MS: '3000',
        ROSTER_BROADCAST_LEASE_MS: '2000',
        ROSTER_BROADCAST_PAGE_SIZE: '50',
        // Slow the fan-out (60 pages) enough that the first kill lands inside it on SQLite too.
        ROSTER_BROADCAST_PAUSE_MS: '25',
      },
    });
    await configureProviders(server, fakes);
    // Seed fast through the v2 batch endpoint: identify + add_device per person.
    for (let start = 0; start < PEOPLE; start += 250) {
      const batch: unknown[] = [];
      for (let i = start; i < Math.min(PEOPLE, start + 250); i++) {
        const identifiers = { id: `b${i}` };
        batch.push({
          type: 'person',
          action: 'identify',
          identifiers,
          attributes: { cohort: 'b', first_name: `P${i}` },
        });
        batch.push({
          type: 'person',
          action: 'add_device',
          identifiers,
          device: { token: token(i), platform: 'android' },
        });
      }
      const res = await trackCall(server, 'POST', '/api/v2/batch', { batch });
      if (res.status !== 200) throw new Error(`seed: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }, 240_000);

  afterAll(async () => {
    await server?.cleanup();
    await fakes?.stop();
  });

  it('sends each person exactly one message across two crashes', async () => {
    const seg = await appCall<{ segment: { id: number } }>(server, 'POST', '/v1/segments', {
      segment: {
        name: 'Cohort B',
        conditions: { attribute: { field: 'cohort', operator: 'eq', value: 'b' } },
      },
    });
    expect(seg.status).toBe(200);
    await waitFor(
      'segment backfill',
      async () => {
        const c = await appCall<{ count: number }>(
          server,
          'GET',
          `/v1/segments/${seg.body.segment.id}/customer_count`,
        );
        return c.body.count === PEOPLE;
      },
      60_000,
    );
    const campaign = await appCall<{ campaign: { id: number } }>(server, 'POST', '/v1/campaigns', {
      name: 'News',
      type: 'broadcast',
      filter: { segment: { id: seg.body.segment.id } },
      template: { title: '{{ trigger.headline }}', message: 'Hi {{ customer.first_name }}' },
    });
    expect(campaign.status).toBe(200);
    const id = campaign.body.campaign.id;

    expect((await appCall(server, 'POST', '/v1/campaigns/999999/triggers', {})).status).toBe(404);
    const api = new APIClient(server.credentials.appApiKey, { url: server.appUrl });
    const trigger = (await api.triggerBroadcast(id, { headline: 'Big news' }, undefined as never)) as {
      id: number;
    };
    expect(trigger.id).toBeGreaterThan(0);
    const triggerState = async () =>
      (
        await appCall<{ trigger: { status: string; queued: number } }>(
          server,
          'GET',
          `/v1/campaigns/${id}/triggers/${trigger.id}`,
        )
      ).body.trigger;

    // Crash 1: while the fan-out is still paging through the segment (or as soon after as we see it).
    // The first push reaches the fake after the first page commits; kill at once (no HTTP in between).
    await waitFor('fan-out under way', () => fakes.fcm.received.length > 0, 60_000, 2);
    server = await server.restart();
    // The restarted process waits out the dead one's lease before resuming: this is the state at the kill.
    const atKill1 = await triggerState();
    // Crash 2: while pushes are going out.
    await waitFor('sending under way', () => fakes.fcm.received.length >= PEOPLE / 3, 600_000);
    const atKill2 = fakes.fcm.received.length;
    server = await server.restart();

    const distinct = () =>
      new Set(fakes.fcm.received.filter((r) => r.status === 200).map((r) => r.token)).size;
    await waitFor('every person reached', () => distinct() === PEOPLE, 600_000);
    const done = await waitFor(
      'trigger done',
      async () => {
        const t = await triggerState();
        return t.status === 'done' && t;
      },
      60_000,
    );
    expect(done.queued).toBe(PEOPLE);

    // One delivery per person: every push a token received carries the same delivery id.
    const byToken = new Map<string, Set<string>>();
    for (const r of fakes.fcm.received) {
      const d = (r.message.data as Record<string, string>)['CIO-Delivery-ID']!;
      byToken.set(r.token, (byToken.get(r.token) ?? new Set()).add(d));
      expect((r.message.notification as { title: string }).title).toBe('Big news');
    }
    expect(byToken.size).toBe(PEOPLE);
    expect([...byToken.values()].filter((s) => s.size !== 1)).toEqual([]);
    const duplicates = fakes.fcm.received.length - PEOPLE;
    // Only what was in flight at a kill can be resent (a claim batch is at most 100 rows).
    expect(duplicates).toBeLessThanOrEqual(200);
    console.info(
      `[broadcast ${engine}] queued ${atKill1.queued} at kill 1 (${atKill1.status}), ${atKill2} received at kill 2, ` +
        `${duplicates} wire duplicates of in-flight pushes`,
    );

    // The record: exactly PEOPLE messages for the broadcast, all sent.
    await waitFor(
      'metrics',
      async () => {
        const c = await appCall<{ campaign: { metrics: { sent: number } } }>(
          server,
          'GET',
          `/v1/campaigns/${id}`,
        );
        return c.body.campaign.metrics.sent === PEOPLE;
      },
      60_000,
    );
    let start = '';
    let count = 0;
    do {
      const page = await appCall<{ messages: Array<{ broadcast_id: number }>; next: string }>(
        server,
        'GET',
        `/v1/messages?broadcast_id=${id}&limit=1000${start ? `&start=${encodeURIComponent(start)}` : ''}`,
      );
      count += page.body.messages.length;
      start = page.body.next;
    } while (start);
    expect(count).toBe(PEOPLE);
  }, 900_000);
});
