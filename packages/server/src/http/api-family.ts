/**
 * Roster serves three wire families that shape their errors differently (docs/track-api.md §1,
 * docs/app-api.md "Conventions"). Every error path asks which family a URL belongs to.
 */
export type ApiFamily = 'track_v1' | 'track_v2' | 'app' | 'app_send' | 'pipelines' | 'other';

/** The Pipelines API's paths under `/v1` (docs/pipelines.md): Segment-spec calls and settings. */
const PIPELINES = /^\/v1\/(batch|identify|track|page|screen|group|alias|[btpsgaim]|projects\/.*)\/?$/;

export function apiFamily(url: string): ApiFamily {
  const path = url.split('?', 1)[0] ?? '';
  if (PIPELINES.test(path)) return 'pipelines';
  if (path.startsWith('/api/v2/')) return 'track_v2';
  if (path.startsWith('/api/') || path.startsWith('/push/') || path.startsWith('/unsubscribe/'))
    return 'track_v1';
  if (path.startsWith('/v1/send/') || path.startsWith('/v1/api/send/')) return 'app_send';
  if (path.startsWith('/v1/')) return 'app';
  return 'other';
}
