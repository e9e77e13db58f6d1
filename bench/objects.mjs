#!/usr/bin/env node
/**
 * Objects and relationships (docs/objects.md), two figures, each beside a reference measured in the same
 * run against the same server:
 *
 * 1. Relating `BENCH_OBJECT_PEOPLE` (default 100,000) people to 1,000 objects through v2 batches
 *    of 100 person `add_relationships` operations (each creates its person and relates them to one
 *    object, with a relationship attribute), in relationships/s, beside v2 batches of 100
 *    person-only identifies of new people (person updates/s).
 * 2. An object change that moves 1,000 people across a segment (a company's `plan` flips, and its
 *    1,000 admins enter or leave "admins of enterprise companies"), beside 1,000 single identifies
 *    (v1, 20 at a time) that each move one person across an attribute segment. Target: the object
 *    change costs at most 0.2 of the 1,000 identifies (set-based evaluation, not a loop over people).
 *
 * SQLite, and PostgreSQL when one is reachable (BENCH_DATABASE_URL / TEST_DATABASE_URL /
 * 127.0.0.1:5432). Usage: `npm run build && node bench/objects.mjs`.
 */
import { pathToFileURL } from 'node:url';
import { BENCH_CREDENTIALS, basicAuth, createPgDatabase, startRoster, table } from './lib.mjs';

const PEOPLE = Number(process.env.BENCH_OBJECT_PEOPLE ?? 100_000);
const OBJECTS = 1000;
const BATCH = 100;
/** Batches in flight at once, as a busy client with a few connections would send them. */
const SENDERS = 4;
const MOVED = 1000;
const headers = { authorization: basicAuth, 'content-type': 'application/json' };
const app = { authorization: `Bearer ${BENCH_CREDENTIALS.appApiKey}`, 'content-type': 'application/json' };

async function post(url, path, body, h = headers, method = 'POST') {
  const res = await fetch(`${url}${path}`, { method, headers: h, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

/** Sends `count` batches made by `make(i)` with SENDERS in flight; seconds taken. */
async function sendBatches(url, count, make) {
  let next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < count) {
        const i = next++;
        await post(url, '/api/v2/batch', { batch: make(i) });
      }
    }),
  );
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function seconds(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function measure(label, server, rows) {
  const { url } = server;
  // 1. Person-only v2 batches (the reference), then relationships.
  const personBatches = Math.max(1, Math.round(PEOPLE / BATCH / 5));
  const personSeconds = await sendBatches(url, personBatches, (b) =>
    Array.from({ length: BATCH }, (_, i) => ({
      type: 'person',
      action: 'identify',
      identifiers: { id: `solo-${b}-${i}` },
      attributes: { plan: 'pro', n: i },
    })),
  );
  const personRate = (personBatches * BATCH) / personSeconds;
  const relBatches = Math.ceil(PEOPLE / BATCH);
  const relSeconds = await sendBatches(url, relBatches, (b) =>
    Array.from({ length: BATCH }, (_, i) => {
      const n = b * BATCH + i;
      return {
        type: 'person',
        action: 'add_relationships',
        identifiers: { id: `member-${n}` },
        cio_relationships: [
          {
            identifiers: { object_type_id: '1', object_id: `company-${n % OBJECTS}` },
            relationship_attributes: { role: n % 10 === 0 ? 'admin' : 'member' },
          },
        ],
      };
    }),
  );
  const relRate = (relBatches * BATCH) / relSeconds;
  rows.push({
    name: `${label}: v2 batches of ${BATCH} person identifies (new people)`,
    value: personRate,
    unit: 'person updates/s',
    ceiling: null,
    ratio: null,
    target: '',
    notes: `${personBatches * BATCH} people, ${SENDERS} batches in flight`,
  });
  rows.push({
    name: `${label}: relating ${relBatches * BATCH} people to ${OBJECTS} objects (v2 add_relationships)`,
    value: relRate,
    unit: 'relationships/s',
    ceiling: personRate,
    ratio: Math.round((relRate / personRate) * 1000) / 1000,
    target: '',
    notes: 'ceiling: the person-only v2 row above (each relationship also creates its person)',
  });

  // 2. An object change moving MOVED people, beside MOVED single identifies moving one each.
  await post(
    url,
    '/v1/segments',
    {
      segment: {
        name: 'Admins of enterprise companies',
        conditions: {
          object: {
            type_id: '1',
            where: { attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } },
            relationship: { attribute: { field: 'role', operator: 'eq', value: 'admin' } },
          },
        },
      },
    },
    app,
  );
  await post(
    url,
    '/v1/segments',
    {
      segment: {
        name: 'Enterprise people',
        conditions: { attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } },
      },
    },
    app,
  );
  await sendBatches(url, MOVED / BATCH, (b) => [
    {
      type: 'object',
      action: 'identify',
      identifiers: { object_type_id: '1', object_id: 'big-co' },
      attributes: { plan: 'pro' },
      cio_relationships: Array.from({ length: BATCH }, (_, i) => ({
        identifiers: { id: `big-${b * BATCH + i}` },
        relationship_attributes: { role: 'admin' },
      })),
    },
  ]);
  const flips = [];
  for (const plan of ['enterprise', 'pro', 'enterprise', 'pro']) {
    flips.push(
      await seconds(() =>
        post(url, '/api/v2/entity', {
          type: 'object',
          action: 'identify',
          identifiers: { object_type_id: '1', object_id: 'big-co' },
          attributes: { plan },
        }),
      ),
    );
  }
  flips.sort((a, b) => a - b);
  const objectChange = (flips[1] + flips[2]) / 2;
  let n = 0;
  const identifies = await seconds(() =>
    Promise.all(
      Array.from({ length: 20 }, async () => {
        while (n < MOVED) {
          const i = n++;
          const res = await fetch(`${url}/api/v1/customers/solo-0-${i % BATCH}-${i}`, {
            method: 'PUT',
            headers,
            body: JSON.stringify({ plan: 'enterprise' }),
          });
          await res.text();
        }
      }),
    ),
  );
  rows.push({
    name: `${label}: ${MOVED} single identifies, each moving a person into a segment (v1, 20 at a time)`,
    value: identifies * 1000,
    unit: 'ms',
    ceiling: null,
    ratio: null,
    target: '',
    notes: '',
  });
  rows.push({
    name: `${label}: one object change moving ${MOVED} people into (or out of) a segment`,
    value: objectChange * 1000,
    unit: 'ms',
    ceiling: identifies * 1000,
    ratio: Math.round((objectChange / identifies) * 1000) / 1000,
    target: '≤ 0.2 of the identifies',
    notes: `median of 4 flips (${flips.map((f) => Math.round(f * 1000)).join(', ')} ms)`,
  });
}

export async function run() {
  const rows = [];
  const sqlite = await startRoster();
  try {
    await measure('SQLite', sqlite, rows);
  } finally {
    sqlite.stop();
  }
  const db = await createPgDatabase().catch(() => undefined);
  if (db) {
    const pg = await startRoster({ databaseUrl: db.url });
    try {
      await measure('PostgreSQL', pg, rows);
    } finally {
      pg.stop();
      await db.drop();
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(table(await run()));
