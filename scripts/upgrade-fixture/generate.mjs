#!/usr/bin/env node
// Builds one engine's upgrade fixture with a previous release of Roster (see build.sh, which runs
// this for SQLite and PostgreSQL): starts that release's `roster serve`, writes a small but varied
// workspace through its public APIs only (Track and App API), then records the answer of every App
// API read into `expected-<engine>.json`. The test in test/upgrade/ restores the database, starts
// the current server on it (migrations run) and asks the same questions.
//
// usage: node generate.mjs --cli OLD/packages/server/dist/cli/main.js --engine sqlite|postgres
//          --data DIR [--database-url URL] --out FIXTURE_DIR --commit SHA
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    cli: { type: 'string' },
    engine: { type: 'string' },
    data: { type: 'string' },
    'database-url': { type: 'string' },
    out: { type: 'string' },
    commit: { type: 'string' },
  },
});
for (const k of ['cli', 'engine', 'data', 'out', 'commit'])
  if (!args[k]) throw new Error(`--${k} is required`);

/** Fixed keys, so the test can call the restored workspace (the fixture holds only their hashes). */
export const CREDENTIALS = {
  siteId: 'upgradefixture',
  apiKey: 'trk_upgrade_fixture_key',
  appApiKey: 'app_upgrade_fixture_key_0123456789',
};

// ---- the old server ----

async function startOldServer() {
  const argv = [args.cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', args.data];
  if (args['database-url']) argv.push('--database-url', args['database-url']);
  const child = spawn(process.execPath, argv, {
    env: {
      ...process.env,
      ROSTER_SITE_ID: CREDENTIALS.siteId,
      ROSTER_API_KEY: CREDENTIALS.apiKey,
      ROSTER_APP_API_KEY: CREDENTIALS.appApiKey,
      ROSTER_LOG_LEVEL: 'warn',
      // Nothing leaves: pushes stay queued (no provider is reachable anyway), so the fixture holds
      // pending outbox rows and messages whose metrics come only from what this script reports.
      ROSTER_DELIVERY_WORKER: '0',
      // No background recheck: memberships change only through the writes below.
      ROSTER_SEGMENT_RECHECK_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk.toString();
      const m = /roster listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`old server exited (${code}):\n${out}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

let base = '';
const basic = `Basic ${Buffer.from(`${CREDENTIALS.siteId}:${CREDENTIALS.apiKey}`).toString('base64')}`;

async function call(method, route, body, auth) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      authorization: auth,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function track(method, route, body) {
  const r = await call(method, route, body, basic);
  if (r.status >= 300) throw new Error(`${method} ${route}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function app(method, route, body) {
  const r = await call(method, `/v1${route}`, body, `Bearer ${CREDENTIALS.appApiKey}`);
  if (r.status >= 300) throw new Error(`${method} /v1${route}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the workspace ----

const T0 = 1_700_000_000;
const pad = (n) => String(n).padStart(2, '0');

async function populate() {
  await pushProviders();
  const { welcome, manual, pro } = await messagesAndSegments();
  const newsletter = await campaigns(welcome, pro);
  await people();
  await anonymousAndV2();
  await lifecycle(manual);
  await pushes(welcome);
  await broadcast(newsletter);
}

/** APNs and FCM providers with throwaway keys. */
async function pushProviders() {
  // Credentials that are never used to send (the delivery worker is off): throwaway keys.
  const apns = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  await app('PUT', '/workspace/push-providers/apns', {
    key_p8: apns.export({ type: 'pkcs8', format: 'pem' }).toString(),
    key_id: 'FIXTUREKEY',
    team_id: 'FIXTURETEAM',
    topic: 'io.roster.fixture',
    host: 'http://127.0.0.1:9',
  });
  const fcm = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  await app('PUT', '/workspace/push-providers/fcm', {
    service_account: {
      type: 'service_account',
      project_id: 'roster-fixture',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: fcm.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: 'fixture@roster-fixture.iam.gserviceaccount.com',
      token_uri: 'http://127.0.0.1:9/token',
    },
    endpoint: 'http://127.0.0.1:9',
  });
}

/** Transactional messages and segments (manual, attribute, device, event, nested, built on others). */
async function messagesAndSegments() {
  const welcome = await app('POST', '/transactional', {
    name: 'welcome',
    title: 'Hi {{ customer.first_name | default: "there" }}',
    message: 'Your plan: {{ customer.plan }} ({{ trigger.code | default: "-" }})',
    link: 'app://welcome/{{ customer.id }}',
    custom_data: { plan: '{{ customer.plan }}' },
  });
  await app('POST', '/transactional', { name: 'ping', title: 'Ping', message: 'Ping {{ device.platform }}' });

  const manual = (
    await app('POST', '/segments', { segment: { name: 'VIP list', description: 'hand-picked' } })
  ).segment;
  const pro = (
    await app('POST', '/segments', {
      segment: {
        name: 'Pro plan',
        conditions: { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
      },
    })
  ).segment;
  const ios = (
    await app('POST', '/segments', {
      segment: {
        name: 'Has an iPhone',
        conditions: { device: { attribute: { field: 'platform', operator: 'eq', value: 'ios' } } },
      },
    })
  ).segment;
  await app('POST', '/segments', {
    segment: {
      name: 'Bought twice',
      conditions: { event: { name: 'purchase', count: { operator: 'gte', value: 2 } } },
    },
  });
  await app('POST', '/segments', {
    segment: {
      name: 'Pro on iPhone',
      description: 'built on two other segments',
      conditions: { and: [{ segment: { id: pro.id } }, { segment: { id: ios.id } }] },
    },
  });
  await app('POST', '/segments', {
    segment: {
      name: 'Germans over 30',
      conditions: {
        and: [
          { attribute: { field: 'country', operator: 'eq', value: 'DE' } },
          { attribute: { field: 'age', operator: 'gt', value: 30 } },
          { attribute: { field: 'profile.tier', operator: 'exists' } },
        ],
      },
    },
  });
  return { welcome, manual, pro };
}

/** Triggered campaigns (by event, by segment entry) and a broadcast; returns the broadcast. */
async function campaigns(welcome, pro) {
  await app('POST', '/campaigns', {
    name: 'Thanks for buying',
    type: 'triggered',
    trigger: { event: 'purchase' },
    template: { title: 'Thanks', message: 'You bought {{ event.sku }} for {{ event.amount }}' },
  });
  await app('POST', '/campaigns', {
    name: 'Welcome to Pro',
    type: 'triggered',
    trigger: { segment_entered: pro.id },
    template: welcome.message.id,
  });
  const newsletter = (
    await app('POST', '/campaigns', {
      name: 'Newsletter',
      type: 'broadcast',
      filter: { attribute: { field: 'plan', operator: 'eq', value: 'free' } },
      template: { title: 'News', message: 'Hello {{ customer.id }}: {{ trigger.headline }}' },
    })
  ).campaign;
  return newsletter;
}

async function people() {
  // People: ids with and without email, email-only leads, nested attributes, devices, events.
  for (let n = 1; n <= 30; n++) {
    const id = `user-${pad(n)}`;
    await track('PUT', `/api/v1/customers/${id}`, {
      ...(n % 2 === 0 ? { email: `${id}@example.com` } : {}),
      first_name: `First${n}`,
      plan: n % 3 === 0 ? 'pro' : 'free',
      age: 20 + n,
      country: ['DE', 'US', 'FR'][n % 3],
      profile: { tier: n % 5, tags: ['a', `t${n % 4}`] },
      created_at: T0 + n,
    });
    if (n % 2 === 0)
      await track('PUT', `/api/v1/customers/${id}/devices`, {
        device: { id: `ios-${pad(n)}`, platform: 'ios', last_used: T0 + 100 + n, app_version: `3.${n % 4}` },
      });
    if (n % 3 === 0)
      await track('PUT', `/api/v1/customers/${id}/devices`, {
        device: { id: `fcm-${pad(n)}`, platform: 'android', last_used: T0 + 200 + n, push_enabled: true },
      });
    if (n % 4 === 0)
      for (let k = 0; k < (n % 8 === 0 ? 2 : 1); k++)
        await track('POST', `/api/v1/customers/${id}/events`, {
          name: 'purchase',
          timestamp: T0 + 300 + n * 10 + k,
          data: { sku: `sku-${n}`, amount: n * 10 + k },
        });
    if (n % 5 === 0)
      await track('POST', `/api/v1/customers/${id}/events`, {
        name: 'https://example.com/pricing',
        type: 'page',
        timestamp: T0 + 400 + n,
        data: { referrer: 'search' },
      });
  }
  for (let n = 1; n <= 5; n++)
    await track('PUT', `/api/v1/customers/${encodeURIComponent(`lead-${n}@example.com`)}`, {
      source: 'form',
      score: n * 7,
    });
}

async function anonymousAndV2() {
  // Anonymous activity, then the people it belongs to identify.
  for (let n = 31; n <= 33; n++) {
    await track('POST', '/api/v1/events', {
      anonymous_id: `anon-${n}`,
      name: 'viewed_pricing',
      timestamp: T0 + 500 + n,
      data: { plan: 'pro' },
    });
    await track('PUT', `/api/v1/customers/user-${n}`, { anonymous_id: `anon-${n}`, plan: 'free', age: n });
  }
  // Track v2: a batch of identifies, events and a screen view.
  await track('POST', '/api/v2/batch', {
    batch: [
      {
        type: 'person',
        action: 'identify',
        identifiers: { id: 'user-34' },
        attributes: { plan: 'pro', age: 44 },
      },
      {
        type: 'person',
        action: 'event',
        identifiers: { id: 'user-34' },
        name: 'purchase',
        timestamp: T0 + 600,
        attributes: { sku: 'sku-34', amount: 340 },
      },
      { type: 'person', action: 'screen', identifiers: { id: 'user-34' }, name: 'Home', timestamp: T0 + 601 },
      {
        type: 'person',
        action: 'add_device',
        identifiers: { id: 'user-34' },
        device: { token: 'ios-34', platform: 'ios', last_used: T0 + 602 },
      },
      {
        type: 'person',
        action: 'identify',
        identifiers: { email: 'user-35@example.com' },
        attributes: { age: 35 },
      },
    ],
  });
}

async function lifecycle(manual) {
  // Manual segment membership, delete, suppress, merge, unsubscribe.
  await track('POST', `/api/v1/segments/${manual.id}/add_customers`, {
    ids: ['user-01', 'user-02', 'user-03', 'user-04', 'user-05'],
  });
  await track('POST', `/api/v1/segments/${manual.id}/remove_customers`, { ids: ['user-05'] });
  await track('DELETE', '/api/v1/customers/user-29');
  await track('POST', '/api/v1/customers/user-28/suppress');
  await track('POST', '/api/v1/merge_customers', {
    primary: { id: 'user-26' },
    secondary: { id: 'user-27' },
  });
  await track('PUT', '/api/v1/customers/user-25', { unsubscribed: true });
  // A second write to a pro person: no second "Welcome to Pro" (entered once).
  await track('PUT', '/api/v1/customers/user-03', { plan: 'pro', visits: 2 });
  // Leaving and re-entering a segment.
  await track('PUT', '/api/v1/customers/user-09', { plan: 'free' });
  await track('PUT', '/api/v1/customers/user-09', { plan: 'pro' });
}

async function pushes(welcome) {
  // Transactional pushes (queued; the delivery worker is off), a draft, undeliverable ones.
  const sent = [];
  for (const body of [
    { identifiers: { id: 'user-02' }, transactional_message_id: 'welcome', message_data: { code: 'A1' } },
    { identifiers: { id: 'user-06' }, transactional_message_id: 'ping', to: 'last_used' },
    { identifiers: { email: 'user-12@example.com' }, transactional_message_id: welcome.message.id },
    { identifiers: { id: 'user-04' }, transactional_message_id: 'ping', queue_draft: true },
    { identifiers: { id: 'user-01' }, transactional_message_id: 'ping' },
    { identifiers: { id: 'nobody' }, transactional_message_id: 'ping' },
    {
      identifiers: { id: 'user-10' },
      transactional_message_id: 'ping',
      custom_device: { token: 'fcm-10-new', platform: 'android' },
      disable_message_retention: true,
    },
  ])
    sent.push((await app('POST', '/send/push', body)).delivery_id);
  // Client-reported metrics for the first delivery, and an unknown one.
  await track('POST', '/push/events', {
    delivery_id: sent[0],
    event: 'delivered',
    device_id: 'ios-02',
    timestamp: T0 + 700,
  });
  await track('POST', '/push/events', {
    delivery_id: sent[0],
    event: 'opened',
    device_id: 'ios-02',
    timestamp: T0 + 701,
  });
  await track('POST', '/api/v1/metrics', { delivery_id: sent[2], metric: 'converted', timestamp: T0 + 702 });
  await track('POST', '/api/v1/metrics', {
    delivery_id: 'not-a-roster-delivery',
    metric: 'opened',
    timestamp: T0 + 703,
  });
}

async function broadcast(newsletter) {
  // A broadcast to a list, fanned out by the old server's runner.
  const trigger = await app('POST', `/campaigns/${newsletter.id}/triggers`, {
    ids: ['user-01', 'user-02', 'user-04', 'user-07', 'user-08'],
    data: { headline: 'Spring release' },
  });
  broadcastTrigger = [newsletter.id, trigger.id];
  for (let i = 0; ; i++) {
    const t = (await app('GET', `/campaigns/${newsletter.id}/triggers/${trigger.id}`)).trigger;
    if (t.status === 'done') break;
    if (i > 600) throw new Error(`broadcast did not finish: ${JSON.stringify(t)}`);
    await sleep(100);
  }
}

// ---- the reads to record ----

/** The broadcast trigger `populate` made, as `[campaign id, trigger id]`. */
let broadcastTrigger = [0, 0];

/** Every page of a paged App API list (`limit` per page, following `next`/`start`). */
async function pages(route, key, limit) {
  const out = [];
  let start = '';
  for (;;) {
    const sep = route.includes('?') ? '&' : '?';
    const r = `${route}${sep}limit=${limit}${start ? `&start=${encodeURIComponent(start)}` : ''}`;
    out.push(r);
    const body = await app('GET', r);
    if (!body.next || body[key].length === 0) return out;
    start = body.next;
  }
}

async function readsToRecord() {
  const reads = [];
  const get = (route) => reads.push({ method: 'GET', path: `/v1${route}` });
  const post = (route, body) => reads.push({ method: 'POST', path: `/v1${route}`, body });

  get('/workspace');
  get('/transactional');
  for (const m of (await app('GET', '/transactional')).messages) get(`/transactional/${m.id}`);
  get('/campaigns');
  for (const c of (await app('GET', '/campaigns')).campaigns) get(`/campaigns/${c.id}`);
  get(`/campaigns/${broadcastTrigger[0]}/triggers/${broadcastTrigger[1]}`);
  get('/segments');
  const segments = (await app('GET', '/segments')).segments;
  for (const s of segments) {
    get(`/segments/${s.id}`);
    get(`/segments/${s.id}/customer_count`);
    get(`/segments/${s.id}/used_by`);
    for (const r of await pages(`/segments/${s.id}/membership`, 'identifiers', 4)) get(r);
    get(`/segments/${s.id}/explain?customer_id=user-03`);
    get(`/segments/${s.id}/explain?customer_id=user-26`);
  }
  post('/segments/count', { conditions: { attribute: { field: 'age', operator: 'gte', value: 30 } } });

  const people = [];
  for (let n = 1; n <= 35; n++) people.push(`user-${pad(n)}`);
  for (let n = 1; n <= 5; n++) people.push(`lead-${n}@example.com`);
  for (const id of people) {
    const e = encodeURIComponent(id);
    const idType = id.includes('@') ? '?id_type=email' : '';
    get(`/customers/${e}/attributes${idType}`);
    get(`/customers/${e}/segments${idType}`);
    get(`/customers/${e}/messages${idType}`);
    get(`/customers/${e}/activities${idType}${idType ? '&' : '?'}limit=100`);
  }
  get('/customers?email=user-12%40example.com');
  get('/customers?email=LEAD-3%40example.com');
  post('/customers/attributes', { ids: ['user-02', 'user-03', 'user-29', 'user-27', 'user-26'] });
  post('/customers/attributes?id_type=email', { ids: ['lead-1@example.com', 'user-04@example.com'] });
  for (const filter of [
    { attribute: { field: 'plan', operator: 'eq', value: 'pro' } },
    {
      and: [{ segment: { id: segments[0].id } }, { attribute: { field: 'age', operator: 'lt', value: 25 } }],
    },
    { device: { attribute: { field: 'platform', operator: 'eq', value: 'android' } } },
  ])
    for (const limit of [3, 100]) post(`/customers?limit=${limit}`, { filter });

  for (const r of await pages('/activities', 'activities', 25)) get(r);
  for (const q of [
    'type=attribute_change',
    'type=event&name=purchase',
    'deleted=true',
    'customer_id=user-26',
  ])
    for (const r of await pages(`/activities?${q}`, 'activities', 50)) get(r);

  for (const r of await pages('/messages', 'messages', 5)) get(r);
  for (const q of [
    'metric=opened',
    'metric=drafted',
    'metric=undeliverable',
    'metric=attempted',
    'type=push',
  ])
    get(`/messages?${q}`);
  for (const m of (await app('GET', '/messages?limit=1000')).messages) get(`/messages/${m.id}`);

  post('/templates/preview', {
    template: { title: 'Hi {{ customer.first_name }}', message: '{{ device.platform }} / {{ trigger.x }}' },
    customer_id: 'user-06',
    trigger: { x: 1 },
  });
  return reads;
}

async function record(reads) {
  const out = [];
  for (const r of reads) {
    const res = await call(r.method, r.path, r.body, `Bearer ${CREDENTIALS.appApiKey}`);
    out.push({ ...r, status: res.status, response: res.body });
  }
  return out;
}

const server = await startOldServer();
base = server.url;
try {
  await populate();
  const answers = await record(await readsToRecord());
  mkdirSync(args.out, { recursive: true });
  // One read per line: small, and a regenerated fixture diffs read by read.
  const head = JSON.stringify({ commit: args.commit, engine: args.engine, credentials: CREDENTIALS });
  writeFileSync(
    path.join(args.out, `expected-${args.engine}.json`),
    `${head.slice(0, -1)},"reads":[\n${answers.map((a) => JSON.stringify(a)).join(',\n')}\n]}\n`,
  );
  console.log(`[${args.engine}] recorded ${answers.length} App API answers`);
} finally {
  await server.stop();
}
