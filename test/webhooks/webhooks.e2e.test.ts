import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '../helpers/postgres.js';
import { startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { appCall, trackCall } from '../messaging/helpers.js';
import { verifies, WebhookReceiver, type Received } from '../fakes/webhook-receiver.js';

interface Webhook {
  id: number;
  url: string;
  events: string[];
  enabled: boolean;
  paused: { reason: string; at: number } | null;
  secret?: string;
  previous_secret_expires_at: number | null;
}

const ENV = {
  ROSTER_WEBHOOK_ALLOW_PRIVATE: '1',
  // Retries a few hundred ms apart, so a receiver that comes back is served soon after.
  ROSTER_WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  ROSTER_WEBHOOK_PAUSE_AFTER_FAILURES: '100000',
  // A delivery a killed server had claimed is taken again after 2 s instead of 60.
  ROSTER_WEBHOOK_LEASE_MS: '2000',
};

async function subscribe(server: ServerProcess, body: Record<string, unknown>): Promise<Webhook> {
  const res = await appCall<{ webhook: Webhook }>(server, 'POST', '/v1/webhooks', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.webhook;
}

/** Every delivery per person (by id attribute order), first arrival of each event id only. */
function firstArrivals(received: readonly Received[]): Received[] {
  const seen = new Set<string>();
  return received.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

describe.each(engines())('webhooks end to end (%s)', (engine) => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ engine, env: ENV });
  }, 120_000);

  afterAll(async () => {
    await server?.cleanup();
  });

  it('manages subscriptions: secret shown once, bad input named, rotation signs with both secrets', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const bad = await appCall(server, 'POST', '/v1/webhooks', {
        url: receiver.url,
        events: ['person.exploded'],
      });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('person.exploded');
      const noUrl = await appCall(server, 'POST', '/v1/webhooks', {
        url: 'ftp://x',
        events: ['person.created'],
      });
      expect(noUrl.status).toBe(400);
      expect(JSON.stringify(noUrl.body)).toContain('url');

      const hook = await subscribe(server, {
        url: receiver.url,
        events: ['person.created'],
        description: 'CRM',
      });
      expect(hook.secret).toMatch(/^whsec_/);
      const read = await appCall<{ webhook: Webhook }>(server, 'GET', `/v1/webhooks/${hook.id}`);
      expect(read.body.webhook).not.toHaveProperty('secret');
      expect(read.body.webhook).toMatchObject({ description: 'CRM', enabled: true, paused: null });
      const list = await appCall<{ webhooks: Webhook[] }>(server, 'GET', '/v1/webhooks');
      expect(list.body.webhooks.map((w) => w.id)).toContain(hook.id);

      expect(
        (await trackCall(server, 'PUT', '/api/v1/customers/rot-1', { email: 'r1@example.com' })).status,
      ).toBe(200);
      const first = await waitFor('the first delivery', () => receiver.delivered[0]);
      expect(verifies(hook.secret!, first)).toBe(true);
      expect(first.body).toMatchObject({ type: 'person.created', data: { person: { id: 'rot-1' } } });
      expect(first.id).toBe(first.body.id);

      const rotated = await appCall<{ webhook: Webhook }>(
        server,
        'POST',
        `/v1/webhooks/${hook.id}/rotate-secret`,
        {
          overlap_seconds: 600,
        },
      );
      expect(rotated.status).toBe(200);
      const secret2 = rotated.body.webhook.secret!;
      expect(secret2).not.toBe(hook.secret);
      expect(rotated.body.webhook.previous_secret_expires_at).toBeGreaterThan(Date.now() / 1000);
      expect(
        (await trackCall(server, 'PUT', '/api/v1/customers/rot-2', { email: 'r2@example.com' })).status,
      ).toBe(200);
      const second = await waitFor('the delivery after rotation', () =>
        receiver.delivered.find((r) => (r.body.data.person as { id?: string }).id === 'rot-2'),
      );
      expect(second.signature.split(' ')).toHaveLength(2);
      expect(verifies(secret2, second)).toBe(true);
      expect(verifies(hook.secret!, second)).toBe(true);

      // Another workspace's key sees none of it.
      const other = await appCall(server, 'GET', `/v1/webhooks/${hook.id}`, undefined, 'app_nobody');
      expect(other.status).toBe(401);

      expect((await appCall(server, 'DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(204);
      expect((await appCall(server, 'GET', `/v1/webhooks/${hook.id}`)).status).toBe(404);
    } finally {
      await receiver.down();
    }
  });

  it('delivers person, device, event (filtered by name) and segment changes with attempts recorded, and replays', async () => {
    const receiver = await new WebhookReceiver().start();
    try {
      const seg = await appCall<{ segment: { id: number } }>(server, 'POST', '/v1/segments', {
        segment: { name: 'pros', conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } } },
      });
      expect(seg.status, JSON.stringify(seg.body)).toBe(200);
      const hook = await subscribe(server, {
        url: receiver.url,
        events: [
          'person.created',
          'person.updated',
          'device.added',
          'event.tracked',
          'segment.entered',
          'person.deleted',
        ],
        event_names: ['purchase'],
        segment_ids: [seg.body.segment.id],
      });
      const P = 'kinds-1';
      expect(
        (await trackCall(server, 'PUT', `/api/v1/customers/${P}`, { email: 'k1@example.com' })).status,
      ).toBe(200);
      expect((await trackCall(server, 'PUT', `/api/v1/customers/${P}`, { plan: 'pro' })).status).toBe(200);
      expect(
        (
          await trackCall(server, 'PUT', `/api/v1/customers/${P}/devices`, {
            device: { id: 'tok-k1', platform: 'ios' },
          })
        ).status,
      ).toBe(200);
      expect(
        (await trackCall(server, 'POST', `/api/v1/customers/${P}/events`, { name: 'browse' })).status,
      ).toBe(200);
      expect(
        (
          await trackCall(server, 'POST', `/api/v1/customers/${P}/events`, {
            name: 'purchase',
            data: { total: 5 },
          })
        ).status,
      ).toBe(200);
      expect((await trackCall(server, 'DELETE', `/api/v1/customers/${P}`)).status).toBe(200);

      const types = await waitFor('all the kinds of change', () => {
        const t = firstArrivals(receiver.delivered).map((r) => r.body.type);
        return t.includes('person.deleted') && t;
      });
      expect(types).toEqual([
        'person.created',
        'person.updated',
        'segment.entered',
        'device.added',
        'event.tracked',
        'person.deleted',
      ]);
      const byType = new Map(receiver.delivered.map((r) => [r.body.type, r.body]));
      expect(byType.get('person.updated')!.data).toMatchObject({ changed: ['plan'], person: { id: P } });
      expect(byType.get('event.tracked')!.data).toMatchObject({
        event: { name: 'purchase', data: { total: 5 } },
      });
      expect(byType.get('segment.entered')!.data).toMatchObject({
        segment: { id: seg.body.segment.id, name: 'pros' },
      });
      expect(byType.get('device.added')!.data).toMatchObject({
        device: { token: 'tok-k1', platform: 'ios' },
      });
      for (const r of receiver.delivered) expect(verifies(hook.secret!, r)).toBe(true);

      type Attempts = { attempts: Array<{ status_code: number; outcome: string; latency_ms: number }> };
      type Deliveries = { deliveries: Array<{ id: number; event_id: string; status: string }> };
      // The receiver answers before Roster records the attempt: wait for the records.
      const deliveries = await waitFor('six deliveries recorded delivered', async () => {
        const d = await appCall<Deliveries>(server, 'GET', `/v1/webhooks/${hook.id}/deliveries`);
        return (
          d.body.deliveries.length === 6 && d.body.deliveries.every((x) => x.status === 'delivered') && d
        );
      });
      const attempts = await appCall<Attempts>(server, 'GET', `/v1/webhooks/${hook.id}/attempts?limit=100`);
      expect(attempts.body.attempts.length).toBeGreaterThanOrEqual(6);
      expect(attempts.body.attempts[0]).toMatchObject({ status_code: 200, outcome: 'delivered' });

      const one = deliveries.body.deliveries[0]!;
      const replay = await appCall(server, 'POST', `/v1/webhooks/${hook.id}/deliveries/${one.id}/replay`);
      expect(replay.status).toBe(200);
      await waitFor(
        'the replayed delivery',
        () => receiver.delivered.filter((r) => r.id === one.event_id).length >= 2,
      );
      await appCall(server, 'DELETE', `/v1/webhooks/${hook.id}`);
    } finally {
      await receiver.down();
    }
  });

  it(
    'a receiver that is down then comes back loses nothing and gets each person in order',
    { timeout: 120_000 },
    async () => {
      const receiver = await new WebhookReceiver().start();
      try {
        const hook = await subscribe(server, {
          url: receiver.url,
          events: ['person.created', 'person.updated'],
        });
        await receiver.down();
        const people = ['down-a', 'down-b', 'down-c'];
        for (let v = 1; v <= 4; v++)
          for (const p of people)
            expect((await trackCall(server, 'PUT', `/api/v1/customers/${p}`, { v })).status).toBe(200);
        // Attempts fail while it is down.
        await waitFor('failed attempts', async () => {
          const a = await appCall<{ attempts: Array<{ outcome: string }> }>(
            server,
            'GET',
            `/v1/webhooks/${hook.id}/attempts`,
          );
          return a.body.attempts.some((x) => x.outcome === 'retry');
        });
        await receiver.up();
        const lastOf = (p: string) =>
          receiver.delivered.some(
            (r) =>
              (r.body.data.person as { id: string }).id === p &&
              (r.body.data.changes as { v?: { to: unknown } } | undefined)?.v?.to === 4,
          );
        await waitFor("every person's last change", () => people.every(lastOf), 90_000);
        type Rows = { deliveries: Array<{ event_id: string; status: string }> };
        // The receiver answers before Roster records the result.
        const rows = await waitFor('every row recorded delivered', async () => {
          const r = await appCall<Rows>(server, 'GET', `/v1/webhooks/${hook.id}/deliveries?limit=100`);
          return r.body.deliveries.every((d) => d.status === 'delivered') && r;
        });
        expect(receiver.deliveredIds()).toEqual(new Set(rows.body.deliveries.map((d) => d.event_id)));
        for (const p of people) {
          const mine = firstArrivals(receiver.delivered).filter(
            (r) => (r.body.data.person as { id: string }).id === p,
          );
          expect(mine[0]!.body.type).toBe('person.created');
          const versions = mine
            .filter((r) => r.body.type === 'person.updated')
            .map((r) => (r.body.data.changes as { v: { to: number } }).v.to);
          // Every change, in the order it was made (the first may come with person.created).
          expect(versions.slice(-3)).toEqual([2, 3, 4]);
          expect(versions.length === 3 || versions[0] === 1).toBe(true);
        }
        await appCall(server, 'DELETE', `/v1/webhooks/${hook.id}`);
      } finally {
        await receiver.down();
      }
    },
  );

  it('a slow receiver does not hold up another subscription', async () => {
    const slow = await new WebhookReceiver().start();
    const fast = await new WebhookReceiver().start();
    slow.mode = 'hold';
    try {
      const a = await subscribe(server, { url: slow.url, events: ['person.created'] });
      const b = await subscribe(server, { url: fast.url, events: ['person.created'] });
      for (let i = 0; i < 12; i++)
        expect((await trackCall(server, 'PUT', `/api/v1/customers/slow-${i}`, { i })).status).toBe(200);
      await waitFor('every delivery to the fast receiver', () => fast.deliveredIds().size === 12);
      // Meanwhile the slow receiver still holds requests it has not answered.
      expect(slow.holding).toBeGreaterThan(0);
      slow.mode = 'ok';
      slow.release();
      await waitFor('every delivery to the slow receiver', () => slow.deliveredIds().size === 12);
      for (const h of [a, b]) await appCall(server, 'DELETE', `/v1/webhooks/${h.id}`);
    } finally {
      slow.release();
      await Promise.all([slow.down(), fast.down()]);
    }
  });

  it('410 Gone pauses the subscription with the reason; turning it on again delivers what waited', async () => {
    const receiver = await new WebhookReceiver().start();
    receiver.mode = 'gone';
    try {
      const hook = await subscribe(server, { url: receiver.url, events: ['person.created'] });
      expect((await trackCall(server, 'PUT', '/api/v1/customers/gone-1', { a: 1 })).status).toBe(200);
      const paused = await waitFor('the pause', async () => {
        const r = await appCall<{ webhook: Webhook }>(server, 'GET', `/v1/webhooks/${hook.id}`);
        return r.body.webhook.paused;
      });
      expect(paused.reason).toContain('410');
      const attempts = await appCall<{ attempts: Array<{ status_code: number; response_excerpt: string }> }>(
        server,
        'GET',
        `/v1/webhooks/${hook.id}/attempts`,
      );
      expect(attempts.body.attempts[0]).toMatchObject({
        status_code: 410,
        response_excerpt: 'gone for good',
      });
      // Still written while paused, delivered on resume.
      expect((await trackCall(server, 'PUT', '/api/v1/customers/gone-2', { a: 1 })).status).toBe(200);
      receiver.mode = 'ok';
      const resumed = await appCall<{ webhook: Webhook }>(server, 'PUT', `/v1/webhooks/${hook.id}`, {
        enabled: true,
      });
      expect(resumed.body.webhook.paused).toBeNull();
      await waitFor('both deliveries', () => receiver.deliveredIds().size === 2);
      // Two people: no order between them.
      expect(receiver.delivered.map((r) => (r.body.data.person as { id: string }).id).sort()).toEqual([
        'gone-1',
        'gone-2',
      ]);
      await appCall(server, 'DELETE', `/v1/webhooks/${hook.id}`);
    } finally {
      await receiver.down();
    }
  });
});

describe.each(engines())('webhooks survive kill -9 between commit and delivery (%s)', (engine) => {
  let server: ServerProcess;
  afterAll(async () => {
    await server?.cleanup();
  });

  it('delivers exactly the committed changes after a restart', async () => {
    server = await startServer({ engine, env: ENV });
    const receiver = await new WebhookReceiver().start();
    receiver.mode = 'hold';
    try {
      const hook = await subscribe(server, { url: receiver.url, events: ['person.created'] });
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        expect((await trackCall(server, 'PUT', `/api/v1/customers/crash-${i}`, { i })).status).toBe(200);
        ids.push(`crash-${i}`);
      }
      // Deliveries are in flight (claimed, POSTed, unanswered) when the server dies.
      await waitFor('requests in flight', () => receiver.holding > 0);
      await server.kill('SIGKILL');
      receiver.mode = 'ok';
      receiver.release();
      server = await server.restart();
      await waitFor('every committed change delivered', () => {
        const people = new Set(receiver.delivered.map((r) => (r.body.data.person as { id: string }).id));
        return ids.every((id) => people.has(id));
      });
      const deliveries = await appCall<{ deliveries: Array<{ event_id: string; status: string }> }>(
        server,
        'GET',
        `/v1/webhooks/${hook.id}/deliveries?limit=100`,
      );
      // Exactly the committed rows: one per person, and the receiver saw those event ids and no others.
      expect(deliveries.body.deliveries).toHaveLength(10);
      await waitFor('every row finished', async () => {
        const d = await appCall<{ deliveries: Array<{ status: string }> }>(
          server,
          'GET',
          `/v1/webhooks/${hook.id}/deliveries?limit=100`,
        );
        return d.body.deliveries.every((x) => x.status === 'delivered');
      });
      expect(receiver.deliveredIds()).toEqual(new Set(deliveries.body.deliveries.map((d) => d.event_id)));
    } finally {
      await receiver.down();
    }
  }, 120_000);
});
