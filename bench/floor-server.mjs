// The floor for Track ingest on SQLite: the least any server could do and still keep Roster's
// promises — each write durable before its answer, the person row with its identifiers and JSON
// attributes, and the history rows Roster records (a new person's create_change, an attribute_change) — with
// nothing else: node:http, JSON.parse, raw better-sqlite3 prepared statements on Roster's own
// schema (the database comes from `roster workspace create`), concurrent requests sharing one
// COMMIT as Roster's group commit does. No auth, no validation, no segments, no metrics, no
// framework. Run by bench/ingest.mjs as a second ceiling: bare node:http / floor says what the data
// model costs on this machine; floor / Roster what the product adds on top.
//
// usage: node bench/floor-server.mjs DATA_DIR
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { setImmediate } from 'node:timers';
import { newCioId } from '../packages/server/dist/lib/cio-id.js';
import { historyWriter } from './floor-history.mjs';

const Database = createRequire(new URL('../packages/server/package.json', import.meta.url))('better-sqlite3');

const db = new Database(path.join(process.argv[2], 'roster.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
const ws = db.prepare('select id from workspaces order by id limit 1').get().id;
const find = db.prepare(
  'select pid, attributes, attr_ts, cio_id from people where workspace_id = ? and id = ?',
);
const insert = db.prepare(
  `insert into people (workspace_id, cio_id, id, email, email_norm, attributes, attr_ts, unsubscribed, created_at, updated_at)
   values (?, ?, ?, null, null, ?, ?, 0, ?, ?)`,
);
const update = db.prepare('update people set attributes = ?, attr_ts = ?, updated_at = ? where pid = ?');
const history = historyWriter(db);

function identify(id, attrs) {
  const now = Math.floor(Date.now() / 1000);
  const row = find.get(ws, id);
  const ts = {};
  for (const k of Object.keys(attrs)) ts[k] = now;
  if (!row) {
    const cio = newCioId(now); // Roster's ids: they decide how many index pages a commit writes
    const attrTs = JSON.stringify({ ...ts, id: now, cio_id: now });
    const pid = insert.run(ws, cio, id, JSON.stringify(attrs), attrTs, now, now).lastInsertRowid;
    history.created(ws, pid, { id, email: null, cio_id: cio }, attrs, now);
    return;
  }
  const before = JSON.parse(row.attributes);
  const merged = { ...before, ...attrs };
  update.run(JSON.stringify(merged), JSON.stringify({ ...JSON.parse(row.attr_ts), ...ts }), now, row.pid);
  const changes = {};
  for (const [k, v] of Object.entries(attrs)) changes[k] = { from: before[k] ?? null, to: v };
  history.changed(ws, row.pid, { id, email: null, cio_id: row.cio_id }, changes, now);
}

// Group commit: requests parsed in one turn of the event loop share a transaction.
let waiting = [];
function flush() {
  const group = waiting;
  waiting = [];
  db.exec('begin immediate');
  for (const w of group) w.run();
  db.exec('commit');
  for (const w of group) w.done();
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const m = /^\/api\/v1\/customers\/([^/]+)$/.exec(req.url);
    const run = m
      ? () => identify(decodeURIComponent(m[1]), body)
      : () => {
          for (const item of body.batch) identify(item.identifiers.id, item.attributes ?? {});
        };
    if (waiting.length === 0) setImmediate(flush);
    waiting.push({
      run,
      done: () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{}\n');
      },
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
