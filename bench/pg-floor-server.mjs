// The floor for Track identify on PostgreSQL (docs/scaling.md "Statements per write"): node:http and the pg driver doing one
// prepared single-row upsert of a jsonb document per request on the same database, with the same
// pool size as a Roster server (10) — no auth, no history, no segments, no framework. Roster's
// identify on PostgreSQL / this rate says what the product costs above the least any server
// could do per request on that database. Run by bench/ingest.mjs.
//
// usage: node bench/pg-floor-server.mjs DATABASE_URL
import http from 'node:http';
import { createRequire } from 'node:module';

const pg = createRequire(new URL('../packages/server/package.json', import.meta.url))('pg');
const pool = new pg.Pool({ connectionString: process.argv[2], max: 10 });
await pool.query(
  'create table if not exists floor_people (id text primary key, attributes jsonb not null, updated_at bigint not null)',
);
const upsert = {
  name: 'floor_upsert',
  text: `insert into floor_people (id, attributes, updated_at) values ($1, $2, $3)
         on conflict (id) do update set attributes = floor_people.attributes || excluded.attributes,
                                        updated_at = excluded.updated_at`,
};

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
    pool.query({ ...upsert, values: [decodeURIComponent(m[1]), body, Math.floor(Date.now() / 1000)] }).then(
      () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{}\n');
      },
      (err) => {
        res.writeHead(500);
        res.end(String(err.message));
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
