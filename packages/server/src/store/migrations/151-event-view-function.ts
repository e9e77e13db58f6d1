import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * PostgreSQL: `roster_event_view(workspace, event_ids, names)`, what a Track write of events needs
 * to know before it writes, read with the transaction's first statement (store/track/events.ts):
 * which of the client-given event ids are already stored (a replayed id stores nothing), and which
 * of the event names start an active triggered campaign (the others need no campaign read).
 *
 * Why: an event was four statements — BEGIN with the read, `select seq from events …` (is the id
 * new?), the campaigns an event of that name triggers, COMMIT — where an identify is two.
 *
 * The event ids' probe is planned on every call (`execute … using`: a one-shot plan made with the
 * ids and the partitions' current sizes), never from a cached generic plan. `events` is partitioned
 * by month, and a generic plan made while a month's partition was empty (or analyzed empty) reads
 * that partition by a sequential scan, or walks the workspace's `(workspace_id, anonymous_id)`
 * entries with the event id as a filter: every event of the month, once the month fills, until
 * an ANALYZE replans it (docs/scaling.md "PostgreSQL events"). Planned per call, a partition with
 * rows is read through `events_ws_eid` whatever its statistics say, and an empty one costs nothing.
 * The planning (tens of µs a partition) is paid only by writes that carry their own event ids:
 * an id Roster generates is new by construction and is not looked up.
 *
 * The campaigns part is a plain cached plan (a workspace's few campaigns, by
 * `campaigns_trigger_event`). Each statement names its workspace (Citus; the query audit reads
 * this body). SQLite: nothing (its `events_ws_eid` is unique and it plans in microseconds).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw(EVENT_VIEW_FUNCTION).execute(db);
}

export const EVENT_VIEW_FUNCTION = `create or replace function roster_event_view(
    p_workspace bigint, p_event_ids text[], p_names text[])
  returns table (r_seen text[], r_triggering text[])
  language plpgsql volatile
as $body$
declare
  seen text[] := '{}';
begin
  if cardinality(p_event_ids) > 0 then
    execute 'select coalesce(array_agg(distinct e.event_id), ''{}'') from events as e
               where e.workspace_id = $1 and e.event_id = any($2)'
      into seen using p_workspace, p_event_ids;
  end if;
  return query
    select seen,
           (select coalesce(array_agg(distinct c.trigger_event), '{}') from campaigns as c
             where c.workspace_id = p_workspace and c.trigger_event = any(p_names)
               and c.active = 1 and c.type = 'triggered');
end
$body$`;
