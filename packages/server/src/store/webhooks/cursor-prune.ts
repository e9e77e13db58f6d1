import { sql } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Tx } from '../store.js';

/**
 * Forgets events every subscription of their workspace has passed (its cursor, paused ones
 * included; off ones do not count) once older than `keptAfterMs` (the replay window), and any
 * event older than `dropBeforeMs` (a subscription paused longer loses it). At most `limit` rows
 * per workspace per call, one bounded DELETE each. Returns how many went.
 */
export async function pruneWebhookEvents(
  db: Tx,
  dialect: DialectName,
  opts: { passedBeforeMs: number; dropBeforeMs: number; limit: number },
): Promise<number> {
  const pos = sql.raw(dialect === 'postgres' ? 'pos' : 'id');
  const cursors = await sql<{ workspace_id: number | string; c: number | string }>`
    select workspace_id, min(cursor_pos) as c from webhook_subscriptions
    where campaign_id is null and enabled = 1 group by workspace_id`.execute(db);
  let n = 0;
  for (const { workspace_id, c } of cursors.rows) {
    const ws = Number(workspace_id);
    const r = await sql`delete from webhook_events where workspace_id = ${ws} and id in (
        select id from webhook_events where workspace_id = ${ws}
          and ((${pos} <= ${Number(c)} and created_at_ms < ${opts.passedBeforeMs}) or created_at_ms < ${opts.dropBeforeMs})
        order by ${pos} limit ${opts.limit})`.execute(db);
    n += Number(r.numAffectedRows ?? 0);
  }
  // Workspaces without a subscription that is on keep nothing.
  const r = await sql`delete from webhook_events where id in (
      select e.id from webhook_events e where not exists (
        select 1 from webhook_subscriptions s
        where s.workspace_id = e.workspace_id and s.enabled = 1 and s.campaign_id is null)
      limit ${opts.limit})`.execute(db);
  return n + Number(r.numAffectedRows ?? 0);
}

/**
 * The cursors' backlog (`/metrics`): events past the lowest cursor of their workspace's
 * subscriptions that are on (PostgreSQL: and events not placed yet), and when the oldest was made.
 */
export async function cursorBacklog(
  db: Tx,
  dialect: DialectName,
): Promise<{ events: number; oldestMs: number | null }> {
  const past = dialect === 'postgres' ? sql`(e.pos is null or e.pos > m.c)` : sql`e.id > m.c`;
  const r = await sql<{ n: number | string; oldest: number | string | null }>`
    select count(*) as n, min(e.created_at_ms) as oldest from webhook_events e
    join (select workspace_id, min(cursor_pos) as c from webhook_subscriptions
          where campaign_id is null and enabled = 1 group by workspace_id) m
      on e.workspace_id = m.workspace_id
    where ${past}`.execute(db);
  const oldest = r.rows[0]?.oldest;
  return {
    events: Number(r.rows[0]?.n ?? 0),
    oldestMs: oldest === null || oldest === undefined ? null : Number(oldest),
  };
}
