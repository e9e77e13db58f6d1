import { sql } from 'kysely';
import type { Store } from '../store.js';

export interface StatsQuery {
  workspaceId: number;
  type: string;
  /** Bucket width, seconds. */
  size: number;
  /** Unix seconds: the first bucket's start. */
  since: number;
}

/** Activity counts per time bucket, for charts. Buckets with no activity are absent. */
export async function countByBucket(
  store: Store,
  q: StatsQuery,
): Promise<Array<{ bucket: number; count: number }>> {
  // Literals, not parameters: PostgreSQL must see the same expression in SELECT and GROUP BY, and
  // SQLite must divide integers (a bound number can arrive as REAL).
  const size = sql.lit(Math.trunc(q.size));
  const bucket = sql<number>`(timestamp / ${size}) * ${size}`;
  const rows = await store.db
    .selectFrom('activities')
    .select([bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('workspace_id', '=', q.workspaceId)
    .where('type', '=', q.type)
    .where('timestamp', '>=', q.since)
    .groupBy(bucket)
    .orderBy(bucket)
    .execute();
  return rows.map((r) => ({ bucket: Number(r.bucket), count: Number(r.count) }));
}

/** The most frequent names (event names for `event`) since a time. */
export async function topNames(
  store: Store,
  q: Omit<StatsQuery, 'size'> & { limit: number },
): Promise<Array<{ name: string; count: number }>> {
  const rows = await store.db
    .selectFrom('activities')
    .select(['name', (eb) => eb.fn.countAll<number>().as('count')])
    .where('workspace_id', '=', q.workspaceId)
    .where('type', '=', q.type)
    .where('timestamp', '>=', q.since)
    .where('name', 'is not', null)
    .groupBy('name')
    .orderBy('count', 'desc')
    .orderBy('name')
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({ name: r.name ?? '', count: Number(r.count) }));
}
