// Where PostgreSQL's own CPU goes in an identify (docs/scaling.md "CPU per request"): the statements Roster sends for an
// identify of a known and of a new person (as test/e2e/round-trips.test.ts logs them), run from one
// connection many times, piece by piece, with the backend's CPU read from /proc/<pid>/stat before and
// after; and each statement under EXPLAIN (ANALYZE, BUFFERS, WAL). The floor's prepared upsert
// (bench/pg-floor-server.mjs) the same way. Usage: node bench/pg-identify-breakdown.mjs [N]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { createPgDatabase, startRoster, basicAuth } from './lib.mjs';

const pg = createRequire(new URL('../packages/server/package.json', import.meta.url))('pg');
const N = Number(process.argv[2] ?? 1000);
const db = await createPgDatabase();
if (!db) throw new Error('no PostgreSQL at TEST_DATABASE_URL');
const roster = await startRoster({
  databaseUrl: db.url,
  env: { ROSTER_DELIVERY_WORKER: '0', ROSTER_BROADCAST_WORKER: '0' },
});
const put = (id, body) =>
  fetch(`${roster.url}/api/v1/customers/${id}`, {
    method: 'PUT',
    headers: { authorization: basicAuth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.text());
for (let i = 0; i < 200; i++) await put(`seed-${i}`, { email: `seed-${i}@example.com`, plan: 'free' });
roster.stop();

const c = new pg.Client({ connectionString: db.url });
await c.connect();
const pid = (await c.query('select pg_backend_pid() as p')).rows[0].p;
const ws = (await c.query('select workspace_id from people limit 1')).rows[0].workspace_id;
const cpuTicks = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100 Hz)
};
const q = (s) => s.replace(/'/g, "''");
const read = (ids, emails) => `with found as (
     select p.* from unnest('{${ids.join(',')}}'::text[]) as k(v) cross join lateral
       (select pid, workspace_id, cio_id, id, email, attributes, attr_ts, unsubscribed, created_at from people where workspace_id = '${ws}' and id = k.v limit 1) as p
     union
     select p.* from unnest('{${emails.join(',')}}'::text[]) as k(v) cross join lateral
       (select pid, workspace_id, cio_id, id, email, attributes, attr_ts, unsubscribed, created_at from people where workspace_id = '${ws}' and email_norm = k.v limit 1) as p
     union
     select p.* from unnest('{}'::text[]) as k(v) cross join lateral
       (select pid, workspace_id, cio_id, id, email, attributes, attr_ts, unsubscribed, created_at from people where workspace_id = '${ws}' and cio_id = k.v limit 1) as p)
   select (select coalesce(json_agg(found), '[]'::json) from found) as people,
          (select coalesce(array_agg(s.kind || ':' || s.value), '{}') from
             (select 'id' as kind, v from unnest('{${ids.join(',')}}'::text[]) as k(v)
              union all select 'email', v from unnest('{${emails.join(',')}}'::text[]) as k(v)) as k
             cross join lateral (select kind, value from suppressions
               where workspace_id = '${ws}' and kind = k.kind and value = k.v limit 1) as s) as suppressed,
          (select version from segment_catalog where workspace_id = '${ws}') as catalog_version,
          (select coalesce(array_agg(r.pid order by r.pid), '{}') from
             (select nextval(pg_get_serial_sequence('people', 'pid')) as pid
                from generate_series(1, greatest(0, '1'::int - (select count(*) from found)::int))) as r) as pids`;
// The same read as Roster sends it since migration 140: a call of the plpgsql function whose body
// is the statement above (planned once per connection).
const readFn = (ids, emails, n) =>
  `select r_people as people, r_suppressed as suppressed, r_catalog_version as catalog_version, r_pids as pids
     from roster_person_view('${ws}', '{${ids.join(',')}}'::text[], '{${emails.join(',')}}'::text[], '{}'::text[], '${n}'::int)`;
let seq = 0;
const ulid = () => `01M98Z3YSX${String(process.hrtime.bigint()).slice(-10)}${String(seq++).padStart(6, '0')}`;
const now = () => Math.floor(Date.now() / 1000);
const known = (i) => {
  const id = `seed-${i % 200}`;
  return {
    lock: `select pg_advisory_xact_lock(hashtextextended('ws:${ws}:id:${id}', 0)); select pg_advisory_xact_lock_shared(hashtextextended('roster:segments:${ws}', 0));`,
    read: read([`"${id}"`], []),
    readFn: readFn([`"${id}"`], [], 1),
    write: `update people set attributes = '{"plan":"p${i}","email":"${id}@example.com"}', attr_ts = '{"id":${now()},"plan":${now()}}', unsubscribed = '0', updated_at = '${now()}' where workspace_id = '${ws}' and pid = (select pid from people where workspace_id = '${ws}' and id = '${id}')`,
    history: `insert into activities (id,workspace_id,person_pid,customer_identifiers,type,name,data,source,delivery_id,delivery_type,timestamp,deleted) values ('${ulid()}', '${ws}', 1, NULL, 'attribute_change', 'plan', '${q(JSON.stringify({ plan: { from: 'a', to: `p${i}` } }))}', 'track_v1:node', NULL, NULL, '${now()}', '0')`,
  };
};
const fresh = (i) => {
  const id = `new-${process.pid}-${i}-${seq++}`;
  const email = `${id}@example.com`;
  return {
    lock: `select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(array['ws:${ws}:email:${email}', 'ws:${ws}:id:${id}']::text[]) as k; select pg_advisory_xact_lock_shared(hashtextextended('roster:segments:${ws}', 0));`,
    read: read([`"${id}"`], [`"${email}"`]),
    readFn: readFn([`"${id}"`], [`"${email}"`], 1),
    write: `insert into people (pid,workspace_id,cio_id,id,email,email_norm,attributes,attr_ts,unsubscribed,created_at,updated_at) values (nextval(pg_get_serial_sequence('people', 'pid')), '${ws}', '${id.slice(-16)}', '${id}', '${email}', '${email}', '{"plan":"trial"}', '{"cio_id":${now()},"id":${now()},"email":${now()},"plan":${now()}}', '0', '${now()}', '${now()}')`,
    history: `insert into activities (id,workspace_id,person_pid,customer_identifiers,type,name,data,source,delivery_id,delivery_type,timestamp,deleted) values ('${ulid()}', '${ws}', 1, '${q(JSON.stringify({ id, email }))}', 'create_change', 'plan', '{"plan":"trial"}', 'track_v1:node', NULL, NULL, '${now()}', '0')`,
  };
};
// Each step adds one piece to the transaction; its cost is the difference with the step before.
const steps = [
  ['begin; commit (empty transaction)', () => 'begin; commit'],
  ['+ advisory locks', (s) => `begin; ${s.lock} commit`],
  [
    '+ the read (CTE: people by id/email/cio_id, suppressions, catalog, nextval)',
    (s) => `begin; ${s.lock} ${s.read}; commit`,
  ],
  ['+ the people write', (s) => `begin; ${s.lock} ${s.read}; ${s.write}; commit`],
  [
    '+ the history row (= the whole identify, read inlined as before 140)',
    (s) => `begin; ${s.lock} ${s.read}; ${s.write}; ${s.history}; commit`,
  ],
  [
    'the whole identify, read by roster_person_view (Roster since 140)',
    (s) => `begin; ${s.lock} ${s.readFn}; ${s.write}; ${s.history}; commit`,
  ],
];
const perCall = async (make) => {
  for (let i = 0; i < 50; i++) await c.query(make(i));
  const t0 = cpuTicks();
  const w0 = performance.now();
  for (let i = 0; i < N; i++) await c.query(make(i));
  return { cpu: ((cpuTicks() - t0) * 1e4) / N, wall: ((performance.now() - w0) * 1e3) / N };
};
const out = [];
for (const [kind, gen] of [
  ['known person', known],
  ['new person', fresh],
]) {
  let prev = 0;
  for (const [label, build] of steps) {
    const r = await perCall((i) => build(gen(i)));
    out.push(
      `${kind.padEnd(13)} ${label.padEnd(78)} ${r.cpu.toFixed(0).padStart(5)} µs CPU (+${(r.cpu - prev).toFixed(0)}), ${r.wall.toFixed(0)} µs wall`,
    );
    prev = r.cpu;
  }
}
// The same read, prepared once (extended protocol, parameters): what parse + plan cost per call.
await c.query(
  `prepare rd(text, text) as ${read(['"x"'], []).replace(`'{"x"}'::text[]`, 'array[$1]').replace(`'{"x"}'::text[]`, 'array[$1]')}`,
);
{
  const r = await perCall((i) => `execute rd('seed-${i % 200}', 'x')`);
  out.push(
    `known person  the read, prepared (execute)${' '.repeat(44)} ${r.cpu.toFixed(0).padStart(5)} µs CPU`,
  );
}
await c.query(
  'create table if not exists floor_people (id text primary key, attributes jsonb not null, updated_at bigint not null)',
);
const floor = `insert into floor_people (id, attributes, updated_at) values ($1, $2, $3)
  on conflict (id) do update set attributes = floor_people.attributes || excluded.attributes, updated_at = excluded.updated_at`;
{
  const make = (i) => ({ name: 'floor', text: floor, values: [`f-${i % 200}`, `{"plan":"p${i}"}`, now()] });
  for (let i = 0; i < 50; i++) await c.query(make(i));
  const t0 = cpuTicks();
  for (let i = 0; i < N; i++) await c.query(make(i));
  out.push(
    `floor         prepared upsert of an existing row (autocommit)${' '.repeat(27)} ${(((cpuTicks() - t0) * 1e4) / N).toFixed(0).padStart(5)} µs CPU`,
  );
}
console.log(out.join('\n'));
// EXPLAIN (ANALYZE, BUFFERS, WAL) of each statement, in a transaction rolled back.
const explain = async (label, sql, values) => {
  // Twice: the second run shows the steady state (the first write to a page after a checkpoint
  // logs the whole page).
  await c.query('begin; savepoint first');
  await c.query({ text: `explain (analyze) ${sql}`, values });
  await c.query('rollback to savepoint first');
  const r = await c.query({ text: `explain (analyze, buffers, wal, timing off, summary on) ${sql}`, values });
  await c.query('rollback');
  const lines = r.rows.map((x) => x['QUERY PLAN']);
  const top = lines[0];
  const wal = lines.filter((l) => /WAL:/.test(l))[0] ?? '';
  const tail = lines.filter((l) => /Planning Time|Execution Time|Trigger/.test(l)).join('; ');
  console.log(`\n## ${label}\n${top}\n${wal.trim()}\n${tail}`);
  if (process.env.FULL) console.log(lines.join('\n'));
};
const k = known(1);
const f = fresh(1);
await explain('read (known)', k.read);
await explain('read (new)', f.read);
await explain('update people (known)', k.write);
await explain('insert activity (known)', k.history);
await explain('insert people (new)', f.write);
await explain('insert activity (new)', f.history);
await explain('floor upsert', floor, ['f-1', '{"plan":"q"}', now()]);
const idx = await c.query(`select c.relname, count(i.indexrelid) as n, string_agg(ic.relname, ', ') as names
  from pg_class c left join pg_index i on i.indrelid = c.oid left join pg_class ic on ic.oid = i.indexrelid
  where c.relname in ('people', 'floor_people') or c.relname like 'activities%' and c.relkind in ('r','p')
  group by c.relname order by 1`);
console.log('\n## indexes');
for (const r of idx.rows) console.log(`${r.relname}: ${r.n} (${r.names})`);
const trg = await c.query(`select tgrelid::regclass as t, tgname from pg_trigger where not tgisinternal`);
console.log(`\n## triggers: ${trg.rows.map((r) => `${r.t}.${r.tgname}`).join(', ') || 'none'}`);
const parts = await c.query(
  `select inhrelid::regclass as p, pg_get_expr(c.relpartbound, c.oid) as b from pg_inherits join pg_class c on c.oid = inhrelid where inhparent = 'activities'::regclass`,
);
console.log(`\n## activities partitions: ${parts.rows.map((r) => `${r.p} ${r.b}`).join('; ')}`);
const hot = await c.query(
  `select relname, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables where relname in ('people','floor_people')`,
);
console.log(`\n## updates: ${JSON.stringify(hot.rows)}`);
console.log(`\nsynchronous_commit=${(await c.query('show synchronous_commit')).rows[0].synchronous_commit}`);
await c.end();
await db.drop();
