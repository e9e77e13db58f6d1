import { sql } from 'kysely';
import type { Store } from '../store.js';
import { storedTypes } from './activities.js';

/** The stored types to count for a listed type: a create_change row counts as both of its activities. */
function typesOf(type: string): string[] {
  const types = storedTypes(type);
  // The create_change type itself is never listed: a value no row has.
  return types.length > 0 ? types : [''];
}

/**
 * The table as the counts read it: on SQLite through `activities_ws_type` (workspace, type, id),
 * named, because without statistics SQLite would rather walk the whole workspace in the primary key
 * `(workspace_id, id)` (migration 133), which holds every column. PostgreSQL plans it itself.
 */
function byType(store: Store): 'activities' {
  return (
    store.dialect === 'sqlite' ? sql`activities indexed by activities_ws_type` : 'activities'
  ) as 'activities';
}

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
  const rows = await countByBucketQuery(store, q).execute();
  return rows.map((r) => ({ bucket: Number(r.bucket), count: Number(r.count) }));
}

/** The query `countByBucket` runs (its plan is tested). */
export function countByBucketQuery(store: Store, q: StatsQuery) {
  const size = sql.lit(Math.trunc(q.size));
  const bucket = sql<number>`(timestamp / ${size}) * ${size}`;
  return store.db
    .selectFrom(byType(store))
    .select([bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('workspace_id', '=', q.workspaceId)
    .where('type', 'in', typesOf(q.type))
    .where('timestamp', '>=', q.since)
    .groupBy(bucket)
    .orderBy(bucket);
}

/** The most frequent names (event names for `event`) since a time. */
export async function topNames(
  store: Store,
  q: Omit<StatsQuery, 'size'> & { limit: number },
): Promise<Array<{ name: string; count: number }>> {
  const rows = await store.db
    .selectFrom(byType(store))
    .select(['name', (eb) => eb.fn.countAll<number>().as('count')])
    .where('workspace_id', '=', q.workspaceId)
    // A create_change's name is its attribute_change's: the profile_create shows none.
    .where('type', 'in', q.type === 'profile_create' ? [q.type] : typesOf(q.type))
    .where('timestamp', '>=', q.since)
    .where('name', 'is not', null)
    .groupBy('name')
    .orderBy('count', 'desc')
    .orderBy('name')
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({ name: r.name ?? '', count: Number(r.count) }));
}
