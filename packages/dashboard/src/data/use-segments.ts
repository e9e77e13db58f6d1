import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';

/** The workspace's segments (`GET /v1/segments`): several pages and cards list or name them. */
export function useSegments() {
  return useAsync((signal) => App.segments(signal), []);
}
