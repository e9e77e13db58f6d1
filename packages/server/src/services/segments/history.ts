import type { Tx } from '../../store/store.js';
import { sizeChanges } from '../../store/segments/segment-tables.js';
import { memberCount } from '../../store/segments/segments-read.js';

export interface SizePoint {
  timestamp: number;
  count: number;
}

/** Most points one history answer holds (the newest are kept). */
export const MAX_HISTORY_POINTS = 1000;

/**
 * Segment size over time, from the size log (net change per bucket, summed): no member counting,
 * whatever the segment's size. Each point is the size at the end of its bucket (`timestamp` = the
 * bucket's start). The last point is always the current count. Manual segments are not logged
 * (their members come and go through the Track API), so they have only the current point.
 */
export async function segmentHistory(
  db: Tx,
  workspaceId: number,
  segmentId: number,
  bucketSeconds: number,
  now: number,
): Promise<SizePoint[]> {
  const changes = await sizeChanges(db, workspaceId, segmentId, bucketSeconds);
  const points: SizePoint[] = [];
  let size = 0;
  for (const c of changes) {
    size += c.delta;
    points.push({ timestamp: c.bucket, count: size });
  }
  const current = await memberCount(db, workspaceId, segmentId);
  const nowBucket = now - (now % bucketSeconds);
  const last = points[points.length - 1];
  if (last && last.timestamp === nowBucket) last.count = current;
  else points.push({ timestamp: nowBucket, count: current });
  return points.slice(-MAX_HISTORY_POINTS);
}
