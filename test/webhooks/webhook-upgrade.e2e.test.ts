import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../packages/server/src/lib/clock.js';
import { WorkspaceService } from '../../packages/server/src/services/workspaces.js';
import { migrate } from '../../packages/server/src/store/migrate.js';
import { migrations } from '../../packages/server/src/store/migrations/index.js';
import { openPostgresStore } from '../../packages/server/src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/postgres.js';
import { randomCredentials, startServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait.js';
import { appCall } from '../messaging/helpers.js';
import { WebhookReceiver } from '../fakes/webhook-receiver.js';

/**
 * Upgrading in place with webhook deliveries pending (migrations 130–132): a database migrated
 * as the release before them left it, with deliveries queued for an enabled subscription (two of
 * one person, the second waiting behind the first) and for a paused one, and a change not yet
 * fanned out (a `webhook_events` row, which migration 132's cursors read), is opened by the
 * current `roster serve`. Every pending row and the change are delivered, in order per person;
 * the paused subscription's wait until it is turned on again, then go out too.
 */
describe.each(engines())(
  'webhook deliveries pending across the upgrade to migrations 130–132 (%s)',
  (engine) => {
    const cleanup: Array<() => Promise<void> | void> = [];
    afterAll(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });

    it('delivers every row queued before the upgrade, in order, and the paused one once resumed', async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-wh-upgrade-'));
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      let database: TestDatabase | undefined;
      if (engine === 'postgres') {
        database = await createTestDatabase('whupgrade');
        const db = database;
        cleanup.push(() => db.drop());
      }
      const receiver = await new WebhookReceiver().start();
      cleanup.push(() => receiver.down());
      const credentials = randomCredentials();

      // The database as the release before migration 130 left it, with deliveries queued.
      const store: Store = database
        ? openPostgresStore({ connectionString: database.url })
        : openSqliteStore({ dataDir });
      try {
        await migrate(
          store,
          migrations.filter((m) => m.version < 130),
        );
        const { workspace } = await new WorkspaceService(store, systemClock).ensureDefault(credentials);
        const ws = workspace.id;
        const now = Date.now();
        const subscription = async (paused: boolean): Promise<number> => {
          const r = await sql<{ id: number | string }>`insert into webhook_subscriptions
            (workspace_id, url, description, events, enabled, secret, paused_reason, paused_at, failure_run,
             batch, created_at, updated_at)
          values (${ws}, ${receiver.url}, '', ${'["person.updated"]'}, 1, ${'whsec_upgrade'},
            ${paused ? 'the receiver answered 410 Gone' : null}, ${paused ? Math.floor(now / 1000) : null}, 0,
            1, ${Math.floor(now / 1000)}, ${Math.floor(now / 1000)})
          returning id`.execute(store.db);
          return Number(r.rows[0]!.id);
        };
        const on = await subscription(false);
        const paused = await subscription(true);
        const queue = async (sub: number, eventId: string, person: string, n: number, blocked: number) => {
          const payload = JSON.stringify({
            id: eventId,
            type: 'person.updated',
            created_at: Math.floor(now / 1000),
            data: { person: { id: person }, changed: ['n'], changes: { n } },
          });
          await sql`insert into webhook_deliveries
            (workspace_id, subscription_id, event_id, event, order_key, payload, status, attempts, run_at_ms,
             created_at_ms, blocked)
          values (${ws}, ${sub}, ${eventId}, 'person.updated', ${`p:${person}`}, ${payload}, 'pending', 0,
            ${now}, ${now}, ${blocked})`.execute(store.db);
        };
        await queue(on, 'evt_up_1', 'ann', 1, 0);
        await queue(on, 'evt_up_2', 'ann', 2, 1);
        await queue(on, 'evt_up_3', 'bob', 1, 0);
        await queue(paused, 'evt_up_4', 'ann', 1, 0);
        // A change written, not yet fanned out to the subscriptions.
        const change = JSON.stringify({
          id: 'evt_up_5',
          type: 'person.updated',
          created_at: Math.floor(now / 1000),
          data: { person: { id: 'cat' }, changed: ['n'], changes: { n: 1 } },
        });
        await sql`insert into webhook_events (workspace_id, event_id, kind, order_key, payload, created_at_ms)
        values (${ws}, 'evt_up_5', 'person.updated', 'p:cat', ${change}, ${now})`.execute(store.db);
      } finally {
        await store.close();
      }

      const server: ServerProcess = await startServer({
        engine,
        dataDir,
        ...(database ? { databaseUrl: database.url, database } : {}),
        credentials,
        env: { ROSTER_WEBHOOK_ALLOW_PRIVATE: '1' },
      });
      cleanup.push(() => server.cleanup());

      await waitFor('the enabled subscription’s four deliveries', () => receiver.deliveredIds().size === 4);
      expect([...receiver.deliveredIds()].sort()).toEqual(['evt_up_1', 'evt_up_2', 'evt_up_3', 'evt_up_5']);
      const ann = receiver.delivered.filter((r) => (r.body.data.person as { id: string }).id === 'ann');
      expect(ann.map((r) => r.id)).toEqual(['evt_up_1', 'evt_up_2']);

      // The paused subscription's row is still queued, and goes out once the subscription is on.
      const hooks = await appCall<{ webhooks: Array<{ id: number; paused: unknown }> }>(
        server,
        'GET',
        '/v1/webhooks',
      );
      const held = hooks.body.webhooks.find((h) => h.paused !== null);
      expect(held).toBeDefined();
      const pending = await appCall<{ deliveries: Array<{ event_id: string; status: string }> }>(
        server,
        'GET',
        `/v1/webhooks/${held!.id}/deliveries`,
      );
      expect(pending.body.deliveries).toEqual([
        expect.objectContaining({ event_id: 'evt_up_5', status: 'pending' }),
        expect.objectContaining({ event_id: 'evt_up_4', status: 'pending' }),
      ]);
      const resumed = await appCall(server, 'PUT', `/v1/webhooks/${held!.id}`, { enabled: true });
      expect(resumed.status).toBe(200);
      await waitFor('the held delivery', () => receiver.deliveredIds().has('evt_up_4'));
      await waitFor(
        'the change, to the resumed subscription too',
        () => receiver.delivered.filter((r) => r.id === 'evt_up_5').length >= 2,
      );
      const done = await waitFor('both recorded delivered', async () => {
        const d = await appCall<{ deliveries: Array<{ event_id: string; status: string }> }>(
          server,
          'GET',
          `/v1/webhooks/${held!.id}/deliveries?status=delivered`,
        );
        return d.body.deliveries.length === 2 && d.body.deliveries;
      });
      expect(done.map((d) => d.event_id).sort()).toEqual(['evt_up_4', 'evt_up_5']);
    }, 120_000);
  },
);
