// Pipelines ingest (docs/pipelines.md): operations per second through `POST /v1/batch` with batches
// of 100 (half identify, half track), beside Track v2 batches of the same mix (100 operations: half
// person identify, half event) against the same server in the same run. Both wires share one write
// path, so the ratio is the cost of the Pipelines translation layer. Target: ≥ 0.8.
import { basicAuth, load, ratio, startRoster } from './lib.mjs';

const WRITE_KEY = 'wk_bench_write_key_000000000001';
const writeAuth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
const PEOPLE = 20_000;

function requests(run) {
  let n = 0;
  const v2 = {
    method: 'POST',
    path: '/api/v2/batch',
    headers: { authorization: basicAuth, 'content-type': 'application/json' },
    setupRequest: (req) => {
      const batch = [];
      for (let i = 0; i < 50; i++) {
        const id = `${run}-v2-${n++ % PEOPLE}`;
        batch.push({
          type: 'person',
          action: 'identify',
          identifiers: { id },
          attributes: { n, plan: 'pro' },
        });
        batch.push({
          type: 'person',
          action: 'event',
          identifiers: { id },
          name: 'purchase',
          attributes: { price: 10 },
        });
      }
      return { ...req, body: JSON.stringify({ batch }) };
    },
  };
  const pipelines = {
    method: 'POST',
    path: '/v1/batch',
    headers: { authorization: writeAuth, 'content-type': 'application/json' },
    setupRequest: (req) => {
      const batch = [];
      for (let i = 0; i < 50; i++) {
        const userId = `${run}-pl-${n++ % PEOPLE}`;
        batch.push({ type: 'identify', userId, traits: { n, plan: 'pro' }, messageId: `${run}-m-${n}-i` });
        batch.push({
          type: 'track',
          userId,
          event: 'purchase',
          properties: { price: 10 },
          messageId: `${run}-m-${n}-t`,
        });
      }
      return { ...req, body: JSON.stringify({ batch }) };
    },
  };
  return { v2, pipelines };
}

async function measure(url, req, duration) {
  const r = await load({ url, connections: 8, duration, requests: [req] });
  return { opsPerSecond: r.rps * 100, p99: r.p99, bad: r.errors + r.non2xx };
}

export async function run() {
  const roster = await startRoster({ env: { ROSTER_WRITE_KEY: WRITE_KEY } });
  try {
    const best = { v2: 0, pipelines: 0 };
    const p99 = { v2: 0, pipelines: 0 };
    let bad = 0;
    // Warm up both, then alternate (best of three each) so drift on a shared machine hits both alike.
    for (const [round, duration] of [
      ['warm', 1],
      ['a', 4],
      ['b', 4],
      ['c', 4],
    ]) {
      const reqs = requests(round);
      for (const wire of ['v2', 'pipelines']) {
        const m = await measure(roster.url, reqs[wire], duration);
        if (round === 'warm') continue;
        bad += m.bad;
        if (m.opsPerSecond > best[wire]) {
          best[wire] = m.opsPerSecond;
          p99[wire] = m.p99;
        }
      }
    }
    return [
      {
        name: 'Track v2 batch of 100 (50 identify + 50 event), SQLite',
        value: Math.round(best.v2),
        unit: 'ops/s',
        ceiling: null,
        ratio: null,
        target: '—',
        notes: `p99 ${p99.v2} ms per batch`,
      },
      {
        name: 'Pipelines /v1/batch of 100 (50 identify + 50 track), SQLite',
        value: Math.round(best.pipelines),
        unit: 'ops/s',
        ceiling: Math.round(best.v2),
        ratio: ratio(best.pipelines, best.v2),
        target: '≥ 0.8 of the v2 rate',
        notes: `p99 ${p99.pipelines} ms per batch; ceiling = the v2 row above${bad ? `; ${bad} failed requests` : ''}`,
      },
    ];
  } finally {
    roster.stop();
  }
}
