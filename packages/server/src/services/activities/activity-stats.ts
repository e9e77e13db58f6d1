import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import { countByBucket, topNames } from '../../store/activities/activity-stats.js';
import type { Store } from '../../store/store.js';
import { InvalidInputError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';

const INTERVALS = { hour: 3600, day: 86_400 } as const;
/** 48 hours or 30 days by default: enough for a chart, bounded for the query. */
const DEFAULT_BUCKETS = { hour: 48, day: 30 } as const;
const MAX_BUCKETS = 366;

export interface ActivityStats {
  interval: 'hour' | 'day';
  type: string;
  buckets: Array<{ timestamp: number; count: number }>;
  top_names: Array<{ name: string; count: number }>;
}

/**
 * `GET /v1/activities/stats` (Roster's extension, for the dashboard): activity counts per hour or
 * day over a recent window, every bucket present (zeros included), and the top names in it.
 */
export class ActivityStatsService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async stats(
    workspace: Workspace,
    q: { interval?: string | undefined; type?: string | undefined; buckets?: string | undefined },
  ): Promise<ActivityStats> {
    const interval = q.interval ?? 'hour';
    if (interval !== 'hour' && interval !== 'day')
      throw new InvalidInputError('interval', 'interval must be hour or day');
    const count = q.buckets === undefined || q.buckets === '' ? DEFAULT_BUCKETS[interval] : Number(q.buckets);
    if (!Number.isInteger(count) || count < 1 || count > MAX_BUCKETS)
      throw new InvalidInputError('buckets', `buckets must be an integer from 1 to ${MAX_BUCKETS}`);
    const type = q.type || 'event';
    const size = INTERVALS[interval];
    const current = Math.floor(unixSeconds(this.clock) / size) * size;
    const since = current - (count - 1) * size;
    const [counts, names] = await Promise.all([
      countByBucket(this.store, { workspaceId: workspace.id, type, size, since }),
      topNames(this.store, { workspaceId: workspace.id, type, since, limit: 10 }),
    ]);
    const byBucket = new Map(counts.map((c) => [c.bucket, c.count]));
    const buckets = Array.from({ length: count }, (_, i) => {
      const timestamp = since + i * size;
      return { timestamp, count: byBucket.get(timestamp) ?? 0 };
    });
    return { interval, type, buckets, top_names: names };
  }
}
