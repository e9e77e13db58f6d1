// SDK benchmark: caller-side cost of identify()/track(), HTTP requests per 1,000 events, requests and
// bytes to send 1,000 events queued offline, and a cold start's time to the first identify with
// 1,000 stored events. Run after `npm run build`: `node bench/sdk.mjs`. Exports `run()` for bench/run.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileStorage, createRoster } from '../packages/sdk/dist/node/index.js';
import { FakeTransport, MemoryStorage } from '../packages/sdk/dist/testing/index.js';

const ROUNDS = 20;
const PER_ROUND = 500;

function client(transport, extra = {}) {
  return createRoster({
    siteId: 'bench',
    apiKey: 'key',
    trackingApiUrl: 'http://bench.invalid',
    storage: new MemoryStorage(),
    transport: transport.fetch,
    flushOnExit: false,
    logLevel: 'none',
    ...extra,
  });
}

/** µs per call measured on the caller only (the work queued behind it is awaited untimed). */
async function perCall(call) {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const pending = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < PER_ROUND; i++) pending.push(call(i));
    const us = Number(process.hrtime.bigint() - t0) / 1000 / PER_ROUND;
    await Promise.all(pending);
    best = Math.min(best, us);
  }
  return best;
}

/** Ceiling: what any durable client must at least do per call — serialise the payload and keep it. */
function ceiling(payload) {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const kept = [];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < PER_ROUND; i++) kept.push(JSON.stringify({ ...payload, i }));
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / PER_ROUND);
  }
  return best;
}

export async function run() {
  const transport = new FakeTransport();
  const roster = client(transport);
  const attrs = { first_name: 'Ada', plan: 'pro', age: 36 };
  const data = { sku: 'A-1', price: 9.99, tags: ['x', 'y'] };
  const identifyUs = await perCall((i) => roster.identify('u1', { ...attrs, i }));
  const trackUs = await perCall((i) => roster.track('viewed', { ...data, i }));
  await roster.shutdown();
  const identifyCeil = ceiling({
    type: 'person',
    identifiers: { id: 'u1' },
    action: 'identify',
    attributes: attrs,
  });
  const trackCeil = ceiling({
    type: 'person',
    identifiers: { id: 'u1' },
    action: 'event',
    name: 'viewed',
    attributes: data,
  });

  // Requests per 1,000 events with the defaults (flushAt 10, 30 s interval), server acknowledging.
  const counting = new FakeTransport();
  const c = client(counting);
  await c.identify('u1');
  for (let i = 0; i < 1000; i++) await c.track('viewed', { i });
  await c.flush();
  await c.shutdown();
  const events = counting.delivered.filter((o) => o.action === 'event').length;

  const offline = await offlineBacklog();
  const cold = await coldStart();

  return [
    {
      name: 'identify() on the caller',
      value: round(identifyUs),
      unit: 'µs/call',
      ceiling: round(identifyCeil),
      ratio: round(identifyUs / identifyCeil),
    },
    {
      name: 'track() on the caller',
      value: round(trackUs),
      unit: 'µs/call',
      ceiling: round(trackCeil),
      ratio: round(trackUs / trackCeil),
    },
    {
      name: 'HTTP requests per 1,000 events',
      value: round((counting.requests.length * 1000) / events),
      unit: 'requests',
    },
    {
      name: 'requests to send 1,000 events queued offline, once online',
      value: offline.backlogRequests,
      unit: 'requests',
      target: '≤ 12',
      notes: `largest batch ${offline.largestBatch} ops / ${Math.round(offline.largestBytes / 1024)} KB (server limit 500 KB)`,
    },
    {
      name: 'live traffic afterwards: requests per 100 events (default flushAt 10)',
      value: offline.liveRequests,
      unit: 'requests',
      notes: `batches of ${offline.liveBatch} ops`,
    },
    {
      name: 'bytes per event on the wire (request body)',
      value: offline.bytesPerEvent,
      unit: 'B/event',
      ceiling: offline.bareBytesPerEvent,
      ratio: offline.bytesPerEvent / offline.bareBytesPerEvent,
      notes: 'ceiling: the same events as bare JSON (name, data, id, timestamp, identifier) joined by commas',
    },
    {
      name: 'cold start to first identify, 1,000 stored events (memory storage, as AsyncStorage)',
      value: cold.memory.median,
      unit: 'ms',
      ceiling: cold.memory.floor,
      ratio: cold.memory.median / cold.memory.floor,
      target: '< 5 ms',
      notes: `first run (JIT cold) ${round(cold.memory.first)} ms; p90 ${round(cold.memory.p90)} ms; ceiling: read the stored text and store it again with one op appended`,
    },
    {
      name: 'cold start to first identify, 1,000 stored events (Node file storage, fsync)',
      value: cold.file.median,
      unit: 'ms',
      ceiling: cold.file.floor,
      ratio: cold.file.median / cold.file.floor,
      notes: `first run ${round(cold.file.first)} ms; p90 ${round(cold.file.p90)} ms; ceiling: read the file and write it back with one op appended (write, fsync, rename)`,
    },
  ];
}

/**
 * 1,000 events tracked while the network is down (each automatic flush fails), then the network
 * returns and the app flushes: how many requests carry the backlog, and how live traffic is sent after.
 */
async function offlineBacklog() {
  const transport = new FakeTransport();
  let online = false;
  transport.fallback = () => {
    if (!online) throw new TypeError('Network request failed');
    return { status: 200, body: {} };
  };
  const c = client(transport);
  await c.identify('u1', { first_name: 'Ada' });
  await c.flush();
  online = false;
  for (let i = 0; i < 1000; i++)
    await c.track('viewed_item', { sku: `A-${i}`, price: 9.99, position: i % 20 });
  const offlineAttempts = transport.requests.length;
  online = true;
  const before = transport.requests.length;
  const r = await c.flush();
  if (r.left !== 0) throw new Error(`backlog not drained: ${JSON.stringify(r)}`);
  const backlog = transport.requests.slice(before).filter((q) => q.ops.length > 0);
  const sent = backlog.flatMap((q) => q.ops);
  const bodyBytes = backlog.reduce((n, q) => n + Buffer.byteLength(JSON.stringify(q.body)), 0);
  const bare = sent.reduce(
    (n, o) =>
      n +
      Buffer.byteLength(JSON.stringify({ n: o.name, d: o.attributes, id: o.id, t: o.timestamp, u: 'u1' })) +
      1,
    0,
  );
  // Live traffic: 100 more events, the client's automatic flushes only.
  const liveBefore = transport.requests.length;
  for (let i = 0; i < 100; i++) await c.track('tapped', { i });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const live = transport.requests.slice(liveBefore);
  await c.shutdown({ timeoutMs: 1000 });
  void offlineAttempts;
  return {
    backlogRequests: backlog.length,
    largestBatch: Math.max(...backlog.map((q) => q.ops.length)),
    largestBytes: Math.max(...backlog.map((q) => Buffer.byteLength(JSON.stringify(q.body)))),
    bytesPerEvent: bodyBytes / sent.length,
    bareBytesPerEvent: bare / sent.length,
    liveRequests: live.length,
    liveBatch: live.length ? Math.round(live.reduce((n, q) => n + q.ops.length, 0) / live.length) : 0,
  };
}

/**
 * A cold start: a new client over a stored document holding 1,000 unsent events, timed from
 * `createRoster()` until the first `identify()` resolves (durably queued). The transport never
 * answers, so no network time is counted. Floor: what any client must do with that document —
 * parse it, and serialise and store it again with the new op.
 */
async function coldStart() {
  const seed = new MemoryStorage();
  const transport = new FakeTransport();
  transport.fallback = () => {
    throw new TypeError('Network request failed');
  };
  const filler = client(transport, { storage: seed, flushAt: 100_000, flushInterval: 3_600_000 });
  await filler.identify('u1', { first_name: 'Ada' });
  for (let i = 0; i < 1000; i++)
    await filler.track('viewed_item', { sku: `A-${i}`, price: 9.99, position: i % 20 });
  await filler.shutdown({ timeoutMs: 0 });
  const [key] = [...seed.data.keys()];
  const doc = seed.data.get(key);
  if (doc.split('\n').length < 1001) throw new Error('seed did not keep 1,000 events');
  const extra = `\n${doc.split('\n').at(-1)}`;

  const hang = () => new Promise(() => {});
  const measure = async (makeStorage, floorOnce) => {
    const times = [];
    const floors = [];
    for (let i = 0; i < 30; i++) {
      const storage = await makeStorage();
      const t0 = process.hrtime.bigint();
      const c = createRoster({
        siteId: 'bench',
        apiKey: 'key',
        trackingApiUrl: 'http://bench.invalid',
        storage,
        transport: hang,
        flushOnExit: false,
        logLevel: 'none',
      });
      await c.identify('u2', { first_name: 'Bo' });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      c.shutdown({ timeoutMs: 0 });
      floors.push(await floorOnce());
    }
    const sorted = [...times].sort((a, b) => a - b);
    return {
      first: times[0],
      median: sorted[Math.floor(sorted.length / 2)],
      p90: sorted[Math.floor(sorted.length * 0.9)],
      floor: [...floors].sort((a, b) => a - b)[Math.floor(floors.length / 2)],
    };
  };

  const memory = await measure(
    async () => {
      const m = new MemoryStorage();
      m.data.set(key, doc);
      return m;
    },
    async () => {
      const m = new MemoryStorage();
      m.data.set(key, doc);
      const t0 = process.hrtime.bigint();
      await m.setItem(key, (await m.getItem(key)) + extra);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    },
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'roster-bench-sdk-'));
  try {
    let n = 0;
    const file = await measure(
      async () => {
        const storage = createFileStorage(path.join(dir, String(n++)));
        await storage.setItem(key, doc);
        return storage;
      },
      async () => {
        const storage = createFileStorage(path.join(dir, `floor-${n++}`));
        await storage.setItem(key, doc);
        const t0 = process.hrtime.bigint();
        await storage.setItem(key, (await storage.getItem(key)) + extra);
        return Number(process.hrtime.bigint() - t0) / 1e6;
      },
    );
    return { memory, file };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n) => Math.round(n * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  console.log('| metric | value | unit | ceiling | ratio |\n|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.ceiling ?? ''} | ${r.ratio ?? ''} |`);
}
