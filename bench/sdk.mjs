// SDK benchmark: caller-side cost of identify()/track() and HTTP requests per 1,000 events.
// Run after `npm run build`: `node bench/sdk.mjs`. Exports `run()` for bench/run.mjs.
import { createRoster } from '../packages/sdk/dist/node/index.js';
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
  ];
}

const round = (n) => Math.round(n * 100) / 100;

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  console.log('| metric | value | unit | ceiling | ratio |\n|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.ceiling ?? ''} | ${r.ratio ?? ''} |`);
}
