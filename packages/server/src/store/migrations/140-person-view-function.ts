import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: `roster_person_view(workspace, ids, emails, cio_ids, new_people)`, the Track write
 * path's one read (store/track/person-view.ts) as a plpgsql function.
 *
 * Why: that read travels in one simple-protocol query with the transaction's BEGIN and advisory
 * locks (one round trip), so its values were inlined and PostgreSQL parsed and planned the whole
 * statement — four LATERAL probes, two aggregates, the pid reservation — on every identify: about
 * 700 µs of PostgreSQL CPU, five times the floor's whole upsert. plpgsql keeps the plan of each
 * statement of its body per connection (planned once, run with the arguments as parameters), and
 * the query that calls it is one function scan that plans in microseconds. Same round trip, same
 * result row.
 *
 * Every statement of the body names its workspace on each table it reads (Citus: one shard, and
 * the query audit reads this body too). SQLite: nothing (SQLite plans in microseconds and keeps
 * its prepared statements).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw(PERSON_VIEW_FUNCTION).execute(db);
}

export const PERSON_VIEW_FUNCTION = `create or replace function roster_person_view(
    p_workspace bigint, p_ids text[], p_emails text[], p_cio_ids text[], p_new_people int)
  returns table (r_people json, r_suppressed text[], r_catalog_version bigint, r_pids bigint[])
  language plpgsql volatile
  set plan_cache_mode = force_generic_plan
as $body$
begin
  return query
    with hit as (
      select p.* from unnest(p_ids) as k(v) cross join lateral
        (select pid, workspace_id, cio_id, id, email, attributes, attr_ts, unsubscribed, created_at
           from people where workspace_id = p_workspace and id = k.v limit 1) as p
      union
      select p.* from unnest(p_emails) as k(v) cross join lateral
        (select pid, workspace_id, cio_id, id, email, attributes, attr_ts, unsubscribed, created_at
           from people where workspace_id = p_workspace and email_norm = k.v limit 1) as p
      union
      select p.* from unnest(p_cio_ids) as k(v) cross join lateral
        (select pid, workspace_id, cio_id, id, email, attributes, attr_ts, unsubscribed, created_at
           from people where workspace_id = p_workspace and cio_id = k.v limit 1) as p)
    select (select coalesce(json_agg(hit), '[]'::json) from hit),
           (select coalesce(array_agg(s.kind || ':' || s.value), '{}') from
              (select 'id' as kind, v from unnest(p_ids) as k(v)
               union all select 'email', v from unnest(p_emails) as k(v)) as k
              cross join lateral (select kind, value from suppressions as x
                where x.workspace_id = p_workspace and x.kind = k.kind and x.value = k.v limit 1) as s),
           (select c.version from segment_catalog as c where c.workspace_id = p_workspace),
           (select coalesce(array_agg(n.pid order by n.pid), '{}') from
              (select nextval(pg_get_serial_sequence('people', 'pid')) as pid
                 from generate_series(1, greatest(0, p_new_people - (select count(*) from hit)::int))) as n);
end
$body$`;
