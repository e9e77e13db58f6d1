// Push benchmark: messages rendered, queued in the outbox and handed to FCM per second, against a
// ceiling measured in the same run — the same FCM HTTP calls made directly, with the same
// concurrency, no rendering, no store. Both talk to the fake FCM on loopback, so the figures are
// Roster's own cost, not Google's latency.
// Run after `npm run build`: `node bench/push.mjs`. Exports `run()` for a bench runner.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { tsImport } from 'tsx/esm/api';
import { openStore } from '../packages/server/dist/store/open-store.js';
import { WorkspaceService } from '../packages/server/dist/services/workspaces.js';
import {
  DeliveryWorker,
  ProviderRegistry,
  TemplateRenderer,
  buildTemplateContext,
  queuePush,
} from '../packages/server/dist/messaging/index.js';
import { loadRecipient, selectPushDevices } from '../packages/server/dist/store/messaging/recipients.js';
import { savePushProvider } from '../packages/server/dist/store/messaging/push-providers.js';
import { FcmProvider } from '../packages/server/dist/messaging/providers/fcm-provider.js';

const { FakeFcm } = await tsImport('../test/fakes/fake-fcm.ts', import.meta.url);

/** Devices per run: one broadcast-sized batch, big enough that start-up costs vanish. */
const N = 2000;
/** In-flight sends, the worker's default. */
const CONCURRENCY = 32;
const clock = { now: () => Date.now() };
const template = {
  title: 'Hi {{customer.first_name | capitalize}}',
  message:
    'Your order {{trigger.order_id}} ships {{ "now" | date: "%b %d" }} to {{customer.city | default: "you"}}',
  link: 'app://orders/{{trigger.order_id}}',
  custom_data: { plan: '{{customer.plan}}' },
};

async function ceiling(fake) {
  const provider = new FcmProvider({ serviceAccount: fake.account.json, endpoint: fake.origin }, clock);
  const content = {
    title: 'Hi Ada',
    body: 'Your order 42 ships',
    link: 'app://orders/42',
    customData: { plan: 'pro' },
  };
  await provider.send({ deliveryId: 'warm', token: 'warm', platform: 'android', content });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        await provider.send({ deliveryId: `d${i}`, token: `direct-${i}`, platform: 'android', content });
      }
    }),
  );
  return N / ((performance.now() - t0) / 1000);
}

function renders() {
  const renderer = new TemplateRenderer();
  const context = buildTemplateContext({
    identifiers: { id: 'u1', email: null, cio_id: 'c1' },
    attributes: { first_name: 'ada', plan: 'pro' },
    trigger: { order_id: 42 },
  });
  return (async () => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await renderer.render({ source: template.title, context });
      await renderer.render({ source: template.message, context });
    }
    return (N * 2) / ((performance.now() - t0) / 1000);
  })();
}

async function pipeline(fake) {
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-bench-push-'));
  const store = await openStore({ dataDir: dir });
  try {
    const ws = (await new WorkspaceService(store, clock).create({ name: 'bench' })).workspace.id;
    await store.transaction(async (trx) => {
      await savePushProvider(
        trx,
        ws,
        { kind: 'fcm', config: { serviceAccount: fake.account.json, endpoint: fake.origin } },
        '',
        1,
      );
      const { pid } = await trx
        .insertInto('people')
        .values({
          workspace_id: ws,
          cio_id: 'c1',
          id: 'u1',
          email: null,
          email_norm: null,
          attributes: JSON.stringify({ first_name: 'ada', plan: 'pro', city: 'Paris' }),
          attr_ts: '{}',
          unsubscribed: 0,
          created_at: 1,
          updated_at: 1,
        })
        .returning('pid')
        .executeTakeFirstOrThrow();
      for (let i = 0; i < N; i++) {
        await trx
          .insertInto('devices')
          .values({
            workspace_id: ws,
            token: `t-${i}`,
            person_pid: pid,
            platform: 'android',
            last_used: i,
            attributes: '{}',
            created_at: 1,
            updated_at: 1,
          })
          .execute();
      }
    });
    const pid = (
      await store.db
        .selectFrom('people')
        .select('pid')
        .where('workspace_id', '=', ws)
        .executeTakeFirstOrThrow()
    ).pid;
    const registry = new ProviderRegistry(store, clock);
    const renderer = new TemplateRenderer();
    const worker = new DeliveryWorker({
      store,
      clock,
      providers: registry,
      concurrency: CONCURRENCY,
      batchSize: 200,
    });

    const t0 = performance.now();
    await store.transaction(async (trx) => {
      const recipient = await loadRecipient(trx, ws, pid);
      const devices = await selectPushDevices(trx, ws, pid, 'all');
      await queuePush({ store, clock, renderer }, trx, {
        workspaceId: ws,
        recipient,
        devices,
        template,
        trigger: { order_id: 42 },
      });
    });
    let sent = 0;
    for (;;) {
      const s = await worker.runOnce();
      sent += s.sent;
      if (s.claimed === 0) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    await registry.close();
    if (sent !== N) throw new Error(`sent ${sent} of ${N}`);
    return N / seconds;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const fake = await new FakeFcm().start();
  try {
    const direct = await ceiling(fake);
    const renderRate = await renders();
    const full = await pipeline(fake);
    return [
      { name: 'push: direct FCM calls (ceiling)', value: round(direct), unit: 'msg/s' },
      {
        name: 'push: render + outbox + worker → FCM (SQLite)',
        value: round(full),
        unit: 'msg/s',
        ceiling: round(direct),
        ratio: round(full / direct),
      },
      { name: 'push: Liquid field renders', value: round(renderRate), unit: 'renders/s' },
    ];
  } finally {
    await fake.stop();
  }
}

const round = (n) => Math.round(n * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  console.log('| metric | value | unit | ceiling | ratio |\n|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.ceiling ?? ''} | ${r.ratio ?? ''} |`);
}
