import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { appCall, trackCall } from '../messaging/helpers.js';
import { verifies, WebhookReceiver, type Received } from '../fakes/webhook-receiver.js';

interface Webhook {
  id: number;
  batch: number;
  paused: { reason: string; at: number } | null;
  secret?: string;
}

type Event = Received['body'];

const ENV = {
  ROSTER_WEBHOOK_ALLOW_PRIVATE: '1',
  ROSTER_WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  ROSTER_WEBHOOK_PAUSE_AFTER_FAILURES: '100000',
};

/** The events of one request: `{"events": [...]}` for a subscription taking batches. */
function eventsOf(r: Received): Event[] {
  const body = JSON.parse(r.raw) as { events?: Event[] };
  if (!Array.isArray(body.events)) throw new Error(`not a batch: ${r.raw.slice(0, 200)}`);
  return body.events;
}

describe.each(engines())('webhook batches (%s)', (engine) => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ engine, env: ENV });
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it('refuses a batch size outside 1..100, naming the field', async () => {
    for (const batch of [0, 101, 2.5]) {
      const bad = await appCall(server, 'POST', '/v1/webhooks', {
        url: 'http://127.0.0.1:9/hooks',
        events: ['person.created'],
        batch,
      });
      expect(bad.status, JSON.stringify(bad.body)).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('batch');
    }
    const list = await appCall<{ webhooks: Webhook[] }>(server, 'GET', '/v1/webhooks');
    expect(list.body.webhooks).toHaveLength(0);
  });

  it('sends what waited in signed batches of at most `batch`, each person in order within and across them', async () => {
    const receiver = await new WebhookReceiver().start();
    receiver.mode = 'gone';
    try {
      const created = await appCall<{ webhook: Webhook }>(server, 'POST', '/v1/webhooks', {
        url: receiver.url,
        events: ['person.created', 'person.updated'],
        batch: 4,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const hook = created.body.webhook;
      expect(hook.batch).toBe(4);
      // 410 pauses it; changes queue up meanwhile and go out in batches when it is turned on.
      expect((await trackCall(server, 'PUT', '/api/v1/customers/batch-0', { v: 1 })).status).toBe(200);
      await waitFor('the pause', async () => {
        const r = await appCall<{ webhook: Webhook }>(server, 'GET', `/v1/webhooks/${hook.id}`);
        return r.body.webhook.paused;
      });
      const people = ['batch-1', 'batch-2', 'batch-3', 'batch-4', 'batch-5', 'batch-6'];
      for (let v = 1; v <= 3; v++)
        for (const p of people)
          expect((await trackCall(server, 'PUT', `/api/v1/customers/${p}`, { v })).status).toBe(200);
      receiver.mode = 'ok';
      await appCall(server, 'PUT', `/v1/webhooks/${hook.id}`, { enabled: true });

      const arrived = () => {
        const seen = new Set<string>();
        return receiver.delivered.flatMap(eventsOf).filter((e) => !seen.has(e.id) && (seen.add(e.id), true));
      };
      const personOf = (e: Event) => (e.data.person as { id: string }).id;
      const versionOf = (e: Event) => (e.data.changes as { v?: { to: number } } | undefined)?.v?.to;
      await waitFor(
        'every change delivered',
        () =>
          arrived().some((e) => personOf(e) === 'batch-0') &&
          people.every((p) => arrived().some((e) => personOf(e) === p && versionOf(e) === 3)),
        90_000,
      );

      for (const r of receiver.delivered) {
        const events = eventsOf(r);
        expect(r.event).toBe('batch');
        expect(events.length).toBeGreaterThanOrEqual(1);
        expect(events.length).toBeLessThanOrEqual(4);
        expect(verifies(created.body.webhook.secret!, r)).toBe(true);
      }
      // Changes that waited together went out together.
      expect(receiver.delivered.some((r) => eventsOf(r).length > 1)).toBe(true);
      // Per person: created first, then every change in the order it was made (v 1 may come with
      // the creation).
      for (const p of people) {
        const mine = arrived().filter((e) => personOf(e) === p);
        expect(mine[0]!.type).toBe('person.created');
        const versions = mine.filter((e) => e.type === 'person.updated').map(versionOf);
        expect(versions.slice(-2)).toEqual([2, 3]);
        expect(versions.length === 2 || versions[0] === 1).toBe(true);
      }
      type Rows = { deliveries: Array<{ event_id: string; status: string }> };
      const rows = await waitFor('every row recorded delivered', async () => {
        const r = await appCall<Rows>(server, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=100`);
        return r.body.deliveries.every((d) => d.status === 'delivered') && r;
      });
      expect(new Set(rows.body.deliveries.map((d) => d.event_id))).toEqual(
        new Set(arrived().map((e) => e.id)),
      );
      await appCall(server, 'DELETE', `/v1/webhooks/${hook.id}`);
    } finally {
      await receiver.down();
    }
  }, 120_000);
});
