// The SQLite upsert floor for Track identify: the PostgreSQL floor's counterpart (pg-floor-server.mjs)
// on an embedded database — node:http and better-sqlite3 doing one prepared single-row upsert of the
// request body per request, each its own transaction (WAL, synchronous=NORMAL, as Roster opens
// SQLite), in its own process, on its own file. No auth, no history, no identity rules, no segments,
// no framework. Roster's identify on SQLite / this rate says what the product costs above the least
// any server could do per request on SQLite. Run by bench/ingest.mjs beside the bare node:http
// ceiling and the same-rows floor (floor-server.mjs).
//
// usage: node bench/sqlite-floor-server.mjs DATA_DIR
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

const Database = createRequire(new URL('../packages/server/package.json', import.meta.url))('better-sqlite3');

const db = new Database(path.join(process.argv[2], 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(
  'create table if not exists floor_people (id text primary key, attributes text not null, updated_at integer not null)',
);
const upsert = db.prepare(
  `insert into floor_people (id, attributes, updated_at) values (?, ?, ?)
   on conflict (id) do update set attributes = json_patch(floor_people.attributes, excluded.attributes),
                                  updated_at = excluded.updated_at`,
);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8') || '{}';
    const m = /^\/api\/v1\/customers\/([^/]+)$/.exec(req.url);
    if (!m) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      upsert.run(decodeURIComponent(m[1]), body, Math.floor(Date.now() / 1000));
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{}\n');
    } catch (err) {
      res.writeHead(500);
      res.end(String(err.message));
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
